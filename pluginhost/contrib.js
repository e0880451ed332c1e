(function (module, exports, require, host) {
  "use strict";
  function createBuffer(opts) {
    const buffer = {
      _buffer: [],
      _timeout: null,
      _points: 0,
      _options: Object.assign({ limit: 10, timeoutSeconds: 60 }, opts),
      add(object, points = 1) {
        // A batch that would overflow is sent before this object joins.
        if (buffer._points && buffer._points + points > buffer._options.limit) {
          void buffer.flush();
        }
        buffer._points += points;
        buffer._buffer.push(object);
        if (buffer._points > buffer._options.limit) {
          void buffer.flush();
        } else if (!buffer._timeout) {
          buffer._timeout = setTimeout(() => void buffer.flush(), buffer._options.timeoutSeconds * 1000);
        }
      },
      async flush() {
        if (buffer._timeout) {
          clearTimeout(buffer._timeout);
          buffer._timeout = null;
        }
        if (buffer._buffer.length === 0 && buffer._points === 0) return;
        const objects = buffer._buffer;
        const points = buffer._points;
        buffer._buffer = [];
        buffer._points = 0;
        if (typeof buffer._options.onFlush === "function") {
          await buffer._options.onFlush(objects, points);
        }
      },
    };
    return buffer;
  }
  Object.defineProperty(exports, "__esModule", { value: true });
  exports.createBuffer = createBuffer;
})
