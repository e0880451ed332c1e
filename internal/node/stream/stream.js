(function (module, exports, require, host) {
  "use strict";
  const EventEmitter = require("events");
  const defer = (fn, ...args) => { Promise.resolve().then(() => fn(...args)); };
  const kHWM = 16 * 1024;

  function codeError(Ctor, code, message) {
    const e = new Ctor(message);
    e.code = code;
    return e;
  }

  function toChunk(chunk, encoding, objectMode) {
    if (objectMode) return chunk;
    if (typeof chunk === "string") return Buffer.from(chunk, encoding || "utf8");
    if (chunk instanceof Uint8Array) return chunk instanceof Buffer ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    throw codeError(TypeError, "ERR_INVALID_ARG_TYPE",
      'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received ' + (chunk === null ? "null" : typeof chunk));
  }

  function chunkLength(chunk, objectMode) {
    return objectMode ? 1 : chunk.length;
  }

  // Stream is the legacy base: an EventEmitter with pipe.
  class Stream extends EventEmitter {
    pipe(dest, options) {
      const src = this;
      const end = !options || options.end !== false;
      const ondata = (chunk) => {
        if (dest.write(chunk) === false && typeof src.pause === "function") src.pause();
      };
      const ondrain = () => { if (typeof src.resume === "function") src.resume(); };
      const onend = () => { if (end) dest.end(); };
      src.on("data", ondata);
      dest.on("drain", ondrain);
      src.on("end", onend);
      src._pipes = src._pipes || [];
      src._pipes.push({ dest, ondata, ondrain, onend });
      dest.emit("pipe", src);
      if (typeof src.resume === "function") src.resume();
      return dest;
    }
    unpipe(dest) {
      const pipes = this._pipes || [];
      this._pipes = pipes.filter((p) => {
        if (dest !== undefined && p.dest !== dest) return true;
        this.removeListener("data", p.ondata);
        this.removeListener("end", p.onend);
        p.dest.removeListener("drain", p.ondrain);
        p.dest.emit("unpipe", this);
        return false;
      });
      return this;
    }
  }

  //--------------------------------------------------------------------------
  // Readable

  function initReadable(self, options) {
    options = options || {};
    const objectMode = !!(options.objectMode || options.readableObjectMode);
    self._readableState = {
      objectMode,
      highWaterMark: options.highWaterMark !== undefined ? options.highWaterMark : (objectMode ? 16 : kHWM),
      buffer: [],
      length: 0,
      flowing: null,
      ended: false,
      endEmitted: false,
      reading: false,
      scheduled: false,
      encoding: options.encoding || null,
      destroyed: false,
    };
    if (typeof options.read === "function") self._read = options.read;
    if (typeof options.destroy === "function") self._destroy = options.destroy;
  }

  function scheduleFlow(self) {
    const state = self._readableState;
    if (state.scheduled) return;
    state.scheduled = true;
    defer(flow, self);
  }

  function decode(state, chunk) {
    if (state.encoding && !state.objectMode && typeof chunk !== "string") return chunk.toString(state.encoding);
    return chunk;
  }

  function flow(self) {
    const state = self._readableState;
    state.scheduled = false;
    if (state.destroyed) return;
    while (state.flowing && state.buffer.length > 0) {
      const chunk = state.buffer.shift();
      state.length -= chunkLength(chunk, state.objectMode);
      self.emit("data", decode(state, chunk));
    }
    if (state.ended) {
      if (state.buffer.length === 0) endReadable(self);
      return;
    }
    if (state.flowing || (state.length < state.highWaterMark && self.listenerCount("readable") > 0)) {
      maybeRead(self);
    }
    if (!state.flowing && state.buffer.length > 0 && self.listenerCount("readable") > 0) {
      self.emit("readable");
    }
  }

  function maybeRead(self) {
    const state = self._readableState;
    if (state.reading || state.ended || state.destroyed || typeof self._read !== "function") return;
    if (self._read === Readable.prototype._read) return;
    state.reading = true;
    try {
      self._read(state.highWaterMark);
    } catch (err) {
      self.destroy(err);
    }
  }

  function endReadable(self) {
    const state = self._readableState;
    if (state.endEmitted) return;
    state.endEmitted = true;
    self.emit("end");
    if (self._writableState === undefined || self._writableState.finished) autoClose(self);
  }

  function autoClose(self) {
    if (self._closed) return;
    self._closed = true;
    defer(() => self.emit("close"));
  }

  class Readable extends Stream {
    constructor(options) {
      super(options);
      initReadable(this, options);
    }
    _read() {
      throw codeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The _read() method is not implemented");
    }
    push(chunk, encoding) {
      const state = this._readableState;
      state.reading = false;
      if (chunk === null) {
        state.ended = true;
        scheduleFlow(this);
        return false;
      }
      if (state.ended) {
        this.destroy(codeError(Error, "ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF"));
        return false;
      }
      const c = toChunk(chunk, encoding, state.objectMode);
      if (!state.objectMode && c.length === 0) return state.length < state.highWaterMark;
      state.buffer.push(c);
      state.length += chunkLength(c, state.objectMode);
      scheduleFlow(this);
      return state.length < state.highWaterMark;
    }
    unshift(chunk, encoding) {
      const state = this._readableState;
      const c = toChunk(chunk, encoding, state.objectMode);
      state.buffer.unshift(c);
      state.length += chunkLength(c, state.objectMode);
      scheduleFlow(this);
    }
    read(n) {
      const state = this._readableState;
      if (state.buffer.length === 0) {
        if (state.ended) scheduleFlow(this);
        else maybeRead(this);
        return null;
      }
      let out;
      if (state.objectMode) {
        out = state.buffer.shift();
        state.length -= 1;
      } else if (n === undefined || n >= state.length) {
        out = state.buffer.length === 1 ? state.buffer[0] : Buffer.concat(state.buffer);
        state.buffer = [];
        state.length = 0;
      } else {
        const all = Buffer.concat(state.buffer);
        out = all.subarray(0, n);
        const rest = all.subarray(n);
        state.buffer = [rest];
        state.length = rest.length;
      }
      if (state.ended && state.buffer.length === 0) scheduleFlow(this);
      else if (!state.ended) maybeRead(this);
      this.emit("data", decode(state, out));
      return decode(state, out);
    }
    on(ev, fn) {
      const res = super.on(ev, fn);
      const state = this._readableState;
      if (ev === "data" && state.flowing !== false) this.resume();
      else if (ev === "readable") { state.flowing = false; scheduleFlow(this); }
      else if (ev === "end" && state.endEmitted === false && state.ended) scheduleFlow(this);
      return res;
    }
    pause() {
      if (this._readableState.flowing !== false) {
        this._readableState.flowing = false;
        this.emit("pause");
      }
      return this;
    }
    resume() {
      const state = this._readableState;
      if (!state.flowing) {
        state.flowing = true;
        this.emit("resume");
        scheduleFlow(this);
      }
      return this;
    }
    isPaused() { return this._readableState.flowing === false; }
    setEncoding(enc) { this._readableState.encoding = enc; return this; }
    destroy(err) {
      if (this.destroyed) return this;
      const finish = (e) => {
        if (this._readableState) this._readableState.destroyed = true;
        if (this._writableState) this._writableState.destroyed = true;
        if (e) defer(() => this.emit("error", e));
        if (!this._closed) { this._closed = true; defer(() => this.emit("close")); }
      };
      this._isDestroyed = true;
      if (typeof this._destroy === "function") {
        try { this._destroy(err || null, (e) => finish(e === undefined ? err : e)); } catch (e) { finish(e); }
      } else {
        finish(err);
      }
      return this;
    }
    get destroyed() { return !!this._isDestroyed; }
    get readable() { const s = this._readableState; return !!s && !s.destroyed && !s.endEmitted; }
    get readableEnded() { return this._readableState.endEmitted; }
    get readableFlowing() { return this._readableState.flowing; }
    get readableLength() { return this._readableState.length; }
    get readableObjectMode() { return this._readableState.objectMode; }
    get readableHighWaterMark() { return this._readableState.highWaterMark; }
    [Symbol.asyncIterator]() {
      const stream = this;
      const queue = [];
      const waiting = [];
      let done = false;
      let failure = null;
      const settle = () => {
        while (waiting.length > 0 && (queue.length > 0 || done || failure)) {
          const w = waiting.shift();
          if (queue.length > 0) w.resolve({ value: queue.shift(), done: false });
          else if (failure) w.reject(failure);
          else w.resolve({ value: undefined, done: true });
        }
      };
      stream.on("data", (chunk) => { queue.push(chunk); settle(); });
      stream.on("end", () => { done = true; settle(); });
      stream.on("error", (err) => { failure = err; settle(); });
      stream.on("close", () => { done = true; settle(); });
      return {
        next() { return new Promise((resolve, reject) => { waiting.push({ resolve, reject }); settle(); }); },
        return() { done = true; stream.destroy(); return Promise.resolve({ value: undefined, done: true }); },
        [Symbol.asyncIterator]() { return this; },
      };
    }
    static from(iterable, options) {
      const r = new Readable(Object.assign({ objectMode: true }, options));
      if (typeof iterable === "string" || iterable instanceof Uint8Array) {
        r.push(iterable);
        r.push(null);
        return r;
      }
      // goja has no for await: walk the (async) iterator by hand.
      const asyncIt = iterable[Symbol.asyncIterator];
      const it = typeof asyncIt === "function" ? asyncIt.call(iterable) : iterable[Symbol.iterator]();
      const step = () => {
        Promise.resolve(it.next()).then((res) => {
          if (res.done) { r.push(null); return; }
          Promise.resolve(res.value).then((chunk) => { r.push(chunk); step(); }, (err) => r.destroy(err));
        }, (err) => r.destroy(err));
      };
      step();
      return r;
    }
  }

  //--------------------------------------------------------------------------
  // Writable

  function initWritable(self, options) {
    options = options || {};
    const objectMode = !!(options.objectMode || options.writableObjectMode);
    self._writableState = {
      objectMode,
      decodeStrings: options.decodeStrings !== false,
      defaultEncoding: options.defaultEncoding || "utf8",
      highWaterMark: options.highWaterMark !== undefined ? options.highWaterMark : (objectMode ? 16 : kHWM),
      queue: [],
      length: 0,
      writing: false,
      ending: false,
      ended: false,
      finished: false,
      needDrain: false,
      destroyed: false,
      endCallbacks: [],
    };
    if (typeof options.write === "function") self._write = options.write;
    if (typeof options.writev === "function") self._writev = options.writev;
    if (typeof options.final === "function") self._final = options.final;
    if (typeof options.destroy === "function") self._destroy = options.destroy;
  }

  function writeNext(self) {
    const state = self._writableState;
    if (state.writing || state.destroyed) return;
    if (state.queue.length === 0) {
      if (state.needDrain) {
        state.needDrain = false;
        self.emit("drain");
      }
      if (state.ending) finishWritable(self);
      return;
    }
    const { chunk, encoding, callback } = state.queue[0];
    state.writing = true;
    let called = false;
    const done = (err) => {
      if (called) return;
      called = true;
      state.writing = false;
      state.queue.shift();
      state.length -= chunkLength(chunk, state.objectMode);
      if (err) {
        if (callback) callback(err);
        self.destroy(err);
        return;
      }
      if (callback) callback(null);
      defer(writeNext, self);
    };
    try {
      self._write(chunk, encoding, done);
    } catch (err) {
      done(err);
    }
  }

  function finishWritable(self) {
    const state = self._writableState;
    if (state.finished || state.finishing) return;
    state.finishing = true;
    const complete = (err) => {
      if (err) {
        for (const cb of state.endCallbacks) cb(err);
        self.destroy(err);
        return;
      }
      // Like Node, finish comes on a later tick (after a Transform's end).
      defer(() => {
        state.finished = true;
        self.emit("prefinish");
        self.emit("finish");
        for (const cb of state.endCallbacks) cb();
        state.endCallbacks = [];
        if (self._readableState === undefined || self._readableState.endEmitted) autoClose(self);
      });
    };
    if (typeof self._final === "function") {
      try { self._final(complete); } catch (err) { complete(err); }
    } else {
      complete();
    }
  }

  const writableMethods = {
    write(chunk, encoding, callback) {
      const state = this._writableState;
      if (typeof encoding === "function") { callback = encoding; encoding = null; }
      if (state.ending) {
        const err = codeError(Error, "ERR_STREAM_WRITE_AFTER_END", "write after end");
        defer(() => { if (callback) callback(err); this.emit("error", err); });
        return false;
      }
      if (state.destroyed) {
        const err = codeError(Error, "ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed");
        defer(() => { if (callback) callback(err); });
        return false;
      }
      if (chunk === null) throw codeError(TypeError, "ERR_STREAM_NULL_VALUES", "May not write null values to stream");
      encoding = encoding || state.defaultEncoding;
      let c = chunk;
      if (!state.objectMode) {
        if (typeof chunk === "string") {
          if (state.decodeStrings) { c = Buffer.from(chunk, encoding); encoding = "buffer"; }
        } else {
          c = toChunk(chunk, encoding, false);
          encoding = "buffer";
        }
      }
      state.queue.push({ chunk: c, encoding, callback });
      state.length += chunkLength(c, state.objectMode);
      const ok = state.length < state.highWaterMark;
      if (!ok) state.needDrain = true;
      writeNext(this);
      return ok;
    },
    end(chunk, encoding, callback) {
      const state = this._writableState;
      if (typeof chunk === "function") { callback = chunk; chunk = null; encoding = null; }
      else if (typeof encoding === "function") { callback = encoding; encoding = null; }
      if (chunk !== null && chunk !== undefined) this.write(chunk, encoding);
      if (callback) {
        if (state.finished) defer(callback);
        else state.endCallbacks.push(callback);
      }
      if (!state.ending) {
        state.ending = true;
        state.ended = true;
        defer(writeNext, this);
      }
      return this;
    },
    cork() {},
    uncork() {},
    setDefaultEncoding(enc) { this._writableState.defaultEncoding = enc; return this; },
  };

  const writableGetters = {
    writable() { const s = this._writableState; return !!s && !s.destroyed && !s.ending; },
    writableEnded() { return this._writableState.ending; },
    writableFinished() { return this._writableState.finished; },
    writableLength() { return this._writableState.length; },
    writableObjectMode() { return this._writableState.objectMode; },
    writableHighWaterMark() { return this._writableState.highWaterMark; },
    writableNeedDrain() { return this._writableState.needDrain; },
  };

  class Writable extends Stream {
    constructor(options) {
      super(options);
      initWritable(this, options);
    }
    _write(chunk, encoding, callback) {
      if (typeof this._writev === "function") {
        this._writev([{ chunk, encoding }], callback);
        return;
      }
      throw codeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The _write() method is not implemented");
    }
    destroy(err) { return Readable.prototype.destroy.call(this, err); }
    get destroyed() { return !!this._isDestroyed; }
  }
  for (const [name, fn] of Object.entries(writableMethods)) {
    Object.defineProperty(Writable.prototype, name, { value: fn, writable: true, configurable: true });
  }
  for (const [name, get] of Object.entries(writableGetters)) {
    Object.defineProperty(Writable.prototype, name, { get, configurable: true });
  }

  //--------------------------------------------------------------------------
  // Duplex, Transform, PassThrough

  class Duplex extends Readable {
    constructor(options) {
      super(options);
      initWritable(this, options);
      if (options && options.allowHalfOpen === false) {
        this.once("end", () => this.end());
      }
    }
    _write(chunk, encoding, callback) { return Writable.prototype._write.call(this, chunk, encoding, callback); }
  }
  for (const [name, fn] of Object.entries(writableMethods)) {
    Object.defineProperty(Duplex.prototype, name, { value: fn, writable: true, configurable: true });
  }
  for (const [name, get] of Object.entries(writableGetters)) {
    Object.defineProperty(Duplex.prototype, name, { get, configurable: true });
  }

  class Transform extends Duplex {
    constructor(options) {
      super(options);
      if (options && typeof options.transform === "function") this._transform = options.transform;
      if (options && typeof options.flush === "function") this._flush = options.flush;
    }
    _read() {}
    _transform() {
      throw codeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The _transform() method is not implemented");
    }
    _write(chunk, encoding, callback) {
      this._transform(chunk, encoding, (err, data) => {
        if (err) { callback(err); return; }
        if (data !== undefined && data !== null) this.push(data);
        callback();
      });
    }
    _final(callback) {
      const done = (err, data) => {
        if (err) { callback(err); return; }
        if (data !== undefined && data !== null) this.push(data);
        this.push(null);
        callback();
      };
      if (typeof this._flush === "function") this._flush(done);
      else done();
    }
  }

  class PassThrough extends Transform {
    _transform(chunk, encoding, callback) { callback(null, chunk); }
  }

  //--------------------------------------------------------------------------
  // helpers

  function finished(stream, options, callback) {
    if (typeof options === "function") { callback = options; options = {}; }
    let called = false;
    const once = (err) => { if (!called) { called = true; cleanup(); callback(err); } };
    const onerror = (err) => once(err);
    const onend = () => once();
    const onfinish = () => { if (!stream._readableState || stream._readableState.endEmitted || stream._readableState.objectMode === undefined) once(); };
    const onclose = () => once(stream._readableState && !stream._readableState.endEmitted && !(stream._writableState && stream._writableState.finished)
      ? codeError(Error, "ERR_STREAM_PREMATURE_CLOSE", "Premature close") : undefined);
    const isReadable = stream._readableState !== undefined;
    const isWritable = stream._writableState !== undefined;
    stream.on("error", onerror);
    stream.on("close", onclose);
    if (isReadable) stream.on("end", onend);
    if (isWritable && !isReadable) stream.on("finish", onfinish);
    const cleanup = () => {
      stream.removeListener("error", onerror);
      stream.removeListener("close", onclose);
      stream.removeListener("end", onend);
      stream.removeListener("finish", onfinish);
    };
    return cleanup;
  }

  function pipeline(...streams) {
    const callback = typeof streams[streams.length - 1] === "function" ? streams.pop() : null;
    if (streams.length === 1 && Array.isArray(streams[0])) streams = streams[0];
    if (streams.length < 2) throw codeError(TypeError, "ERR_MISSING_ARGS", 'The "streams" argument must be specified');
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      if (err) for (const s of streams) if (typeof s.destroy === "function" && !s.destroyed) s.destroy();
      if (callback) callback(err);
    };
    for (let i = 0; i < streams.length - 1; i++) {
      streams[i].pipe(streams[i + 1]);
      streams[i].on("error", finish);
    }
    const last = streams[streams.length - 1];
    last.on("error", finish);
    if (last._writableState !== undefined) last.on("finish", () => finish());
    else last.on("end", () => finish());
    return last;
  }

  const promises = {
    pipeline: (...streams) => new Promise((resolve, reject) => pipeline(...streams, (err) => (err ? reject(err) : resolve()))),
    finished: (stream, options) => new Promise((resolve, reject) => finished(stream, options || {}, (err) => (err ? reject(err) : resolve()))),
  };

  Stream.Stream = Stream;
  Stream.Readable = Readable;
  Stream.Writable = Writable;
  Stream.Duplex = Duplex;
  Stream.Transform = Transform;
  Stream.PassThrough = PassThrough;
  Stream.pipeline = pipeline;
  Stream.finished = finished;
  Stream.promises = promises;
  module.exports = Stream;
})
