(function (Buffer, host) {
  "use strict";
  if (typeof Buffer !== "function" || Buffer.isBuffer) return;
  const define = (obj, name, value) => Object.defineProperty(obj, name, { value, writable: true, configurable: true });
  const extra = new Set(["latin1", "binary", "ascii", "ucs2", "ucs-2", "utf16le", "utf-16le", "base64url"]);
  const known = new Set(["utf8", "utf-8", "hex", "base64"].concat([...extra]));
  const lower = (e) => (typeof e === "string" ? e.toLowerCase() : e);
  const from = Buffer.from;
  define(Buffer, "from", function from_(value, encodingOrOffset, length) {
    if (typeof value === "string" && typeof encodingOrOffset === "string") {
      const enc = lower(encodingOrOffset);
      if (extra.has(enc)) return from.call(this, host.decode(value, enc));
      if (known.has(enc)) return from.call(this, value, enc === "utf-8" ? "utf8" : enc);
    }
    return from.apply(this, arguments);
  });
  const toString = Buffer.prototype.toString;
  define(Buffer.prototype, "toString", function toString_(encoding, start, end) {
    const enc = lower(encoding);
    if (extra.has(enc)) {
      const s = start === undefined ? 0 : Math.max(0, Math.trunc(start) || 0);
      const e = end === undefined ? this.length : Math.min(this.length, Math.trunc(end) || 0);
      return host.encode(new Uint8Array(this.buffer, this.byteOffset + s, Math.max(0, e - s)), enc);
    }
    if (known.has(enc) && enc !== encoding) return toString.call(this, enc === "utf-8" ? "utf8" : enc, start, end);
    return toString.apply(this, arguments);
  });
  define(Buffer, "isBuffer", function isBuffer(obj) { return obj instanceof Buffer; });
  define(Buffer, "isEncoding", function isEncoding(enc) { return typeof enc === "string" && known.has(enc.toLowerCase()); });
  define(Buffer, "byteLength", function byteLength(value, encoding) {
    if (typeof value === "string") return host.decode(value, lower(encoding) || "utf8").byteLength;
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value.byteLength;
    const e = new TypeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.');
    e.code = "ERR_INVALID_ARG_TYPE";
    throw e;
  });
  const compare = (a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  };
  define(Buffer, "compare", compare);
  if (!Buffer.prototype.compare) define(Buffer.prototype, "compare", function (other) { return compare(this, other); });
  define(Buffer, "allocUnsafe", (n) => Buffer.alloc(n));
  define(Buffer, "allocUnsafeSlow", (n) => Buffer.alloc(n));
})
