(function (global, host) {
  "use strict";
  const INTERNALS = Symbol("internals");
  const BODY = Symbol("body");
  const MAP = Symbol("map");
  const SIGNAL = Symbol("signal");
  const URLClass = global.URL;
  const BufferClass = global.Buffer;
  const setTimeoutFn = global.setTimeout;

  // Errors, as node-fetch v2 defines them.
  class FetchError extends Error {
    constructor(message, type, systemError) {
      super(message);
      this.type = type;
      if (systemError) this.code = this.errno = systemError.code;
    }
  }
  Object.defineProperty(FetchError.prototype, "name", { value: "FetchError", writable: true, configurable: true });
  class AbortError extends Error {
    constructor(message) {
      super(message);
      this.type = "aborted";
    }
  }
  Object.defineProperty(AbortError.prototype, "name", { value: "AbortError", writable: true, configurable: true });

  class DOMException extends Error {
    constructor(message = "", name = "Error") {
      super(message);
      Object.defineProperty(this, "name", { value: String(name), writable: true, configurable: true });
    }
    get code() {
      return { AbortError: 20, TimeoutError: 23, NotSupportedError: 9, InvalidStateError: 11 }[this.name] || 0;
    }
  }
  const DOMExceptionClass = global.DOMException || DOMException;

  // Headers: names are case-insensitive (kept lower case), values joined
  // with ", ", iteration sorted by name.
  const invalidTokenRegex = /[^\^_\x60a-zA-Z\-0-9!#$%&'*+.|~]/;
  const invalidHeaderCharRegex = /[^\t\x20-\x7e\x80-\xff]/;
  function validateName(name) {
    if (name === "" || invalidTokenRegex.test(name)) throw new TypeError(name + " is not a legal HTTP header name");
  }
  function validateValue(value) {
    if (invalidHeaderCharRegex.test(value)) throw new TypeError(value + " is not a legal HTTP header value");
  }
  function sortedPairs(headers) {
    const names = Array.from(headers[MAP].keys()).sort();
    return names.map((name) => [name, headers[MAP].get(name).join(", ")]);
  }
  class Headers {
    constructor(init = undefined) {
      Object.defineProperty(this, MAP, { value: new Map() });
      if (init instanceof Headers) {
        for (const [name, values] of init[MAP]) this[MAP].set(name, values.slice());
        return;
      }
      if (init == null) return;
      if (typeof init !== "object") throw new TypeError("Provided initializer must be an object");
      const method = init[Symbol.iterator];
      if (method == null) {
        for (const key of Object.keys(init)) this.append(key, init[key]);
        return;
      }
      if (typeof method !== "function") throw new TypeError("Header pairs must be iterable");
      const pairs = [];
      for (const pair of init) {
        if (typeof pair !== "object" || pair === null || typeof pair[Symbol.iterator] !== "function") {
          throw new TypeError("Each header pair must be iterable");
        }
        pairs.push(Array.from(pair));
      }
      for (const pair of pairs) {
        if (pair.length !== 2) throw new TypeError("Each header pair must be a name/value tuple");
        this.append(pair[0], pair[1]);
      }
    }
    get(name) {
      name = String(name);
      validateName(name);
      const values = this[MAP].get(name.toLowerCase());
      return values === undefined ? null : values.join(", ");
    }
    forEach(callback, thisArg = undefined) {
      let pairs = sortedPairs(this);
      for (let i = 0; i < pairs.length; i++) {
        callback.call(thisArg, pairs[i][1], pairs[i][0], this);
        pairs = sortedPairs(this);
      }
    }
    set(name, value) {
      name = String(name);
      value = String(value);
      validateName(name);
      validateValue(value);
      this[MAP].set(name.toLowerCase(), [value]);
    }
    append(name, value) {
      name = String(name);
      value = String(value);
      validateName(name);
      validateValue(value);
      appendRaw(this, name.toLowerCase(), value);
    }
    has(name) {
      name = String(name);
      validateName(name);
      return this[MAP].has(name.toLowerCase());
    }
    delete(name) {
      name = String(name);
      validateName(name);
      this[MAP].delete(name.toLowerCase());
    }
    raw() {
      const out = {};
      for (const [name, values] of this[MAP]) out[name] = values;
      return out;
    }
    keys() { return sortedPairs(this).map((p) => p[0])[Symbol.iterator](); }
    values() { return sortedPairs(this).map((p) => p[1])[Symbol.iterator](); }
    entries() { return sortedPairs(this)[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    get [Symbol.toStringTag]() { return "Headers"; }
  }
  function appendRaw(headers, name, value) {
    const values = headers[MAP].get(name);
    if (values) values.push(value);
    else headers[MAP].set(name, [value]);
  }

  // Bodies are buffered: a Uint8Array (or null) and a used flag.
  function isURLSearchParams(obj) {
    return typeof obj === "object" && obj !== null && typeof obj.append === "function" &&
      typeof obj.delete === "function" && typeof obj.get === "function" && typeof obj.getAll === "function" &&
      typeof obj.has === "function" && typeof obj.set === "function" &&
      ((obj.constructor && obj.constructor.name === "URLSearchParams") ||
        Object.prototype.toString.call(obj) === "[object URLSearchParams]" || typeof obj.sort === "function");
  }
  function extractBody(body) {
    if (body == null) return { bytes: null, type: null };
    if (typeof body === "string") return { bytes: BufferClass.from(body), type: "text/plain;charset=UTF-8" };
    if (isURLSearchParams(body)) {
      return { bytes: BufferClass.from(body.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
    }
    if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body), type: null };
    if (ArrayBuffer.isView(body)) return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), type: null };
    if (typeof body === "object" && typeof body.getBoundary === "function" && typeof body.getBuffer === "function") {
      return { bytes: body.getBuffer(), type: "multipart/form-data;boundary=" + body.getBoundary() };
    }
    if (typeof body === "object" && typeof body.pipe === "function") {
      throw new TypeError("fetch: stream bodies are not supported; pass a string, Buffer or Uint8Array");
    }
    return { bytes: BufferClass.from(String(body)), type: "text/plain;charset=UTF-8" };
  }
  function toBuffer(u8) { return BufferClass.from(u8.buffer, u8.byteOffset, u8.byteLength); }
  function consume(self) {
    const state = self[BODY];
    if (state.used) return Promise.reject(new TypeError("body used already for: " + self.url));
    state.used = true;
    return Promise.resolve(state.bytes === null ? new Uint8Array(0) : state.bytes);
  }
  function mixinBody(proto) {
    Object.defineProperties(proto, {
      body: {
        get() { const b = this[BODY].bytes; return b === null ? null : toBuffer(b); },
        configurable: true,
      },
      bodyUsed: { get() { return this[BODY].used; }, configurable: true },
      arrayBuffer: {
        value: function arrayBuffer() {
          return consume(this).then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
        },
        writable: true, configurable: true,
      },
      buffer: { value: function buffer() { return consume(this).then(toBuffer); }, writable: true, configurable: true },
      text: { value: function text() { return consume(this).then((b) => host.decodeUTF8(b)); }, writable: true, configurable: true },
      json: {
        value: function json() {
          const url = this.url;
          return consume(this).then((b) => {
            try {
              return JSON.parse(host.decodeUTF8(b));
            } catch (err) {
              throw new FetchError("invalid json response body at " + url + " reason: " + err.message, "invalid-json");
            }
          });
        },
        writable: true, configurable: true,
      },
    });
  }

  function isRequest(obj) {
    return typeof obj === "object" && obj !== null && typeof obj[INTERNALS] === "object" && obj[INTERNALS].kind === "request";
  }
  function isAbortSignal(signal) {
    return typeof signal === "object" && signal !== null && typeof signal.aborted === "boolean" &&
      typeof signal.addEventListener === "function";
  }
  function parseURL(input) {
    const str = String(input);
    return /^[a-zA-Z][a-zA-Z\d+\-.]*:/.test(str) ? new URLClass(str).href : str;
  }
  function pick(init, input, name, fallback) {
    if (init[name] !== undefined) return init[name];
    if (input[name] !== undefined) return input[name];
    return fallback;
  }

  class Request {
    constructor(input, init = undefined) {
      init = init == null ? {} : init;
      let url;
      if (isRequest(input)) {
        url = input.url;
      } else {
        url = parseURL(input && typeof input === "object" && input.href ? input.href : input);
        input = {};
      }
      const method = String(init.method || input.method || "GET").toUpperCase();
      const inputBody = init.body != null ? init.body : isRequest(input) ? input[BODY].bytes : null;
      if (inputBody != null && (method === "GET" || method === "HEAD")) {
        throw new TypeError("Request with GET/HEAD method cannot have body");
      }
      const { bytes, type } = extractBody(inputBody);
      Object.defineProperty(this, BODY, { value: { bytes, used: false } });
      const headers = new Headers(init.headers || input.headers || {});
      if (type !== null && !headers.has("Content-Type")) headers.append("Content-Type", type);
      let signal = isRequest(input) ? input.signal : null;
      if ("signal" in init) signal = init.signal;
      if (signal != null && !isAbortSignal(signal)) throw new TypeError("Expected signal to be an instanceof AbortSignal");
      Object.defineProperty(this, INTERNALS, {
        value: { kind: "request", method, url, headers, redirect: init.redirect || input.redirect || "follow", signal: signal == null ? null : signal },
      });
      this.follow = pick(init, input, "follow", 20);
      this.compress = pick(init, input, "compress", true);
      this.counter = init.counter || input.counter || 0;
      this.agent = init.agent || input.agent;
      this.timeout = init.timeout || input.timeout || 0;
      this.size = init.size || input.size || 0;
    }
    get method() { return this[INTERNALS].method; }
    get url() { return this[INTERNALS].url; }
    get headers() { return this[INTERNALS].headers; }
    get redirect() { return this[INTERNALS].redirect; }
    get signal() { return this[INTERNALS].signal; }
    clone() {
      if (this.bodyUsed) throw new Error("cannot clone body after it is used");
      return new Request(this);
    }
    get [Symbol.toStringTag]() { return "Request"; }
  }
  mixinBody(Request.prototype);

  class Response {
    constructor(body = null, init = undefined) {
      init = init == null ? {} : init;
      const { bytes, type } = extractBody(body);
      Object.defineProperty(this, BODY, { value: { bytes, used: false } });
      const status = init.status || 200;
      const headers = new Headers(init.headers);
      if (type !== null && !headers.has("Content-Type")) headers.append("Content-Type", type);
      Object.defineProperty(this, INTERNALS, {
        value: { kind: "response", url: init.url, status, statusText: init.statusText || host.statusText(status), headers, counter: init.counter || 0 },
      });
    }
    get url() { return this[INTERNALS].url || ""; }
    get status() { return this[INTERNALS].status; }
    get ok() { return this[INTERNALS].status >= 200 && this[INTERNALS].status < 300; }
    get redirected() { return this[INTERNALS].counter > 0; }
    get statusText() { return this[INTERNALS].statusText; }
    get headers() { return this[INTERNALS].headers; }
    clone() {
      if (this.bodyUsed) throw new Error("cannot clone body after it is used");
      const i = this[INTERNALS];
      return new Response(this[BODY].bytes, { url: i.url, status: i.status, statusText: i.statusText, headers: i.headers, counter: i.counter });
    }
    get [Symbol.toStringTag]() { return "Response"; }
  }
  mixinBody(Response.prototype);

  function makeResponse(raw) {
    const headers = new Headers();
    const list = raw.headers;
    for (let i = 0; i + 1 < list.length; i += 2) appendRaw(headers, list[i], list[i + 1]);
    const res = new Response(null, { url: raw.url, status: raw.status, statusText: raw.statusText, headers, counter: raw.counter });
    res[BODY].bytes = new Uint8Array(raw.body);
    return res;
  }
  function makeError(failure) {
    if (failure.type === "aborted") return new AbortError("The user aborted a request.");
    return new FetchError(failure.message, failure.type, failure.code ? { code: failure.code } : undefined);
  }

  // AbortController and AbortSignal, for Node's globals and node-fetch.
  let constructing = false;
  class AbortSignal {
    constructor() {
      if (!constructing) throw new TypeError("Illegal constructor");
      Object.defineProperty(this, SIGNAL, { value: { aborted: false, reason: undefined, listeners: [], onabort: null, handler: null } });
    }
    get onabort() { return this[SIGNAL].onabort; }
    set onabort(fn) {
      // Like an event handler attribute: a listener in the list from the
      // moment it is first set.
      const state = this[SIGNAL];
      state.onabort = typeof fn === "function" ? fn : null;
      if (state.handler === null) {
        state.handler = (event) => { if (state.onabort) state.onabort.call(this, event); };
        state.listeners.push({ listener: state.handler, once: false });
      }
    }
    get aborted() { return this[SIGNAL].aborted; }
    get reason() { return this[SIGNAL].reason; }
    throwIfAborted() { if (this[SIGNAL].aborted) throw this[SIGNAL].reason; }
    addEventListener(type, listener, options = undefined) {
      if (type !== "abort" || listener == null) return;
      const state = this[SIGNAL];
      if (state.listeners.some((l) => l.listener === listener)) return;
      state.listeners.push({ listener, once: !!(options && typeof options === "object" && options.once) });
    }
    removeEventListener(type, listener) {
      if (type !== "abort") return;
      const state = this[SIGNAL];
      state.listeners = state.listeners.filter((l) => l.listener !== listener);
    }
    dispatchEvent(event) {
      if (event && event.type === "abort") dispatch(this, event);
      return true;
    }
    get [Symbol.toStringTag]() { return "AbortSignal"; }
    static abort(reason = undefined) {
      const signal = newSignal();
      abortSignal(signal, reason);
      return signal;
    }
    static timeout(ms) {
      const signal = newSignal();
      setTimeoutFn(() => abortSignal(signal, new DOMExceptionClass("The operation was aborted due to timeout", "TimeoutError")), ms).unref();
      return signal;
    }
    static any(signals) {
      const signal = newSignal();
      for (const s of signals) {
        if (s.aborted) {
          abortSignal(signal, s.reason);
          return signal;
        }
      }
      for (const s of signals) s.addEventListener("abort", () => abortSignal(signal, s.reason), { once: true });
      return signal;
    }
  }
  function newSignal() {
    constructing = true;
    try {
      return new AbortSignal();
    } finally {
      constructing = false;
    }
  }
  function dispatch(signal, event) {
    const state = signal[SIGNAL];
    const listeners = state.listeners.slice();
    state.listeners = state.listeners.filter((l) => !l.once);
    for (const { listener: h } of listeners) {
      try {
        if (typeof h === "function") h.call(signal, event);
        else if (h && typeof h.handleEvent === "function") h.handleEvent(event);
      } catch (err) {
        host.reportError(err);
      }
    }
  }
  function abortSignal(signal, reason) {
    const state = signal[SIGNAL];
    if (state.aborted) return;
    state.aborted = true;
    state.reason = reason === undefined ? new DOMExceptionClass("This operation was aborted", "AbortError") : reason;
    dispatch(signal, { type: "abort", target: signal, currentTarget: signal });
  }
  class AbortController {
    constructor() { Object.defineProperty(this, SIGNAL, { value: newSignal() }); }
    get signal() { return this[SIGNAL]; }
    abort(reason = undefined) { abortSignal(this[SIGNAL], reason); }
    get [Symbol.toStringTag]() { return "AbortController"; }
  }

  function requestSpec(request) {
    let parsed = null;
    try {
      parsed = new URLClass(request.url);
    } catch (err) {
      parsed = null;
    }
    if (parsed === null || !parsed.hostname) throw new TypeError("Only absolute URLs are supported");
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new TypeError("Only HTTP(S) protocols are supported");
    const headers = new Headers(request.headers);
    if (!headers.has("Accept")) headers.set("Accept", "*/*");
    if (!headers.has("User-Agent")) headers.set("User-Agent", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)");
    if (request.compress && !headers.has("Accept-Encoding")) headers.set("Accept-Encoding", "gzip,deflate");
    const flat = [];
    for (const [name, values] of headers[MAP]) for (const value of values) flat.push(name, value);
    return {
      url: parsed.href, method: request.method, headers: flat, body: request[BODY].bytes,
      redirect: String(request.redirect), follow: Number(request.follow), timeout: Number(request.timeout) || 0,
      compress: !!request.compress, size: Number(request.size) || 0,
    };
  }

  // makeFetch builds a fetch over a host send function: host.send for the
  // global, or one that adds credentials in Go (see Fetch.FetchFor).
  function makeFetch(send) {
    return function fetch(url, opts) {
      return sendRequest(send, url, opts);
    };
  }

  function sendRequest(send, url, opts) {
    return new Promise((resolve, reject) => {
      const request = new Request(url, opts);
      const spec = requestSpec(request);
      const signal = request.signal;
      if (signal && signal.aborted) {
        reject(new AbortError("The user aborted a request."));
        return;
      }
      const [promise, abort] = send(spec);
      let onAbort = null;
      const finalize = () => { if (onAbort) signal.removeEventListener("abort", onAbort); };
      if (signal) {
        onAbort = () => {
          abort();
          reject(new AbortError("The user aborted a request."));
          finalize();
        };
        signal.addEventListener("abort", onAbort);
      }
      promise.then(
        (raw) => { finalize(); resolve(makeResponse(raw)); },
        (failure) => { finalize(); reject(makeError(failure)); },
      );
    });
  }
  const fetch = makeFetch(host.send);
  fetch.isRedirect = (code) => code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
  fetch.Promise = Promise;
  Object.defineProperty(fetch, "__esModule", { value: true });
  Object.assign(fetch, { default: fetch, Headers, Request, Response, FetchError, AbortError });

  return { fetch, Headers, Request, Response, AbortController, AbortSignal, DOMException, makeFetch };
})
