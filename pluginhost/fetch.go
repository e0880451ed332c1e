package pluginhost

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
)

// fetch is node-fetch v2 (the original server's fetch) over net/http: the
// global fetch, Headers, Request and Response, the node-fetch module
// (default export plus Headers, Request, Response, FetchError, AbortError)
// and, as Node has them, AbortController, AbortSignal and DOMException.
//
// The JavaScript side builds requests and responses; host.send validates a
// request on the loop, runs it in a goroutine bounded by the current call's
// context (a request still running when the call ends or times out is
// cancelled), reads the whole body there (decoding gzip and deflate) and
// settles the promise once, on the loop. Response bodies are buffered, so
// res.body is a Buffer, not a stream.

// maxFetchBody bounds a response body read into memory.
const maxFetchBody = 100 << 20

// fetchExportsKey holds the VM's fetch function (the node-fetch module) on
// the global object, out of reach of plugin assignments to globalThis.fetch.
var fetchExportsKey = goja.NewSymbol("hogpipe.node-fetch")

var (
	errFetchAborted = errors.New("fetch aborted")
	errFetchTimeout = errors.New("fetch timeout")
)

const fetchPreludeSource = `(function (global, host) {
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

  function fetch(url, opts) {
    return new Promise((resolve, reject) => {
      const request = new Request(url, opts);
      const spec = requestSpec(request);
      const signal = request.signal;
      if (signal && signal.aborted) {
        reject(new AbortError("The user aborted a request."));
        return;
      }
      const [promise, abort] = host.send(spec);
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
  fetch.isRedirect = (code) => code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
  fetch.Promise = Promise;
  Object.defineProperty(fetch, "__esModule", { value: true });
  Object.assign(fetch, { default: fetch, Headers, Request, Response, FetchError, AbortError });

  return { fetch, Headers, Request, Response, AbortController, AbortSignal, DOMException };
})`

var fetchPreludeProgram = goja.MustCompile("hogpipe:fetch", fetchPreludeSource, true)

// installAsyncGlobals defines the timer globals and fetch with its classes.
func (v *vm) installAsyncGlobals() error {
	if err := v.installTimers(); err != nil {
		return err
	}
	if err := v.installFetch(); err != nil {
		return err
	}
	return v.installPostHogAPI()
}

func (v *vm) installFetch() error {
	rt := v.rt
	host := rt.NewObject()
	_ = host.Set("send", v.fetchSend)
	_ = host.Set("statusText", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(http.StatusText(int(call.Argument(0).ToInteger())))
	})
	_ = host.Set("decodeUTF8", func(call goja.FunctionCall) goja.Value {
		var b []byte
		if err := rt.ExportTo(call.Argument(0), &b); err != nil {
			v.throwTypeError("decode: %v", err)
		}
		if !utf8.Valid(b) {
			return rt.ToValue(string([]rune(string(b))))
		}
		return rt.ToValue(string(b))
	})
	_ = host.Set("reportError", func(call goja.FunctionCall) goja.Value {
		v.plugin.log.Errorf("plugin %q: abort listener: %s", v.plugin.manifest.Name, v.formatLogArg(call.Argument(0)))
		return goja.Undefined()
	})
	prelude, err := rt.RunProgram(fetchPreludeProgram)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	run, _ := goja.AssertFunction(prelude)
	res, err := run(goja.Undefined(), rt.GlobalObject(), host)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	exports := res.ToObject(rt)
	global := rt.GlobalObject()
	for _, name := range []string{"fetch", "Headers", "Request", "Response", "AbortController", "AbortSignal", "DOMException"} {
		if existing := global.Get(name); existing != nil && !goja.IsUndefined(existing) {
			continue
		}
		if err := global.DefineDataProperty(name, exports.Get(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return fmt.Errorf("fetch: define %s: %w", name, err)
		}
	}
	return global.DefineDataPropertySymbol(fetchExportsKey, exports.Get("fetch"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

// fetchModule serves node-fetch: module.exports is the fetch function, with
// default, Headers, Request, Response, FetchError and AbortError on it.
func fetchModule(v *vm) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		_ = module.Set("exports", rt.GlobalObject().GetSymbol(fetchExportsKey))
	}
}

//------------------------------------------------------------------------------

// fetchSpec is a request as host.send received it, in Go values only.
type fetchSpec struct {
	url      *url.URL
	method   string
	header   http.Header
	host     string
	body     []byte // nil: no body
	redirect string
	follow   int
	timeout  time.Duration
	compress bool
	size     int64
	caller   string // the plugin function the request belongs to
}

// fetchResult is a response with its body read.
type fetchResult struct {
	url        string
	status     int
	statusText string
	header     []string // name, value, name, value… names lower case
	body       []byte
	redirects  int
}

// fetchFailure is a rejection: a FetchError of Type (or an AbortError).
type fetchFailure struct {
	Type    string // "system", "request-timeout", "max-redirect", … or "aborted"
	Message string
	Code    string
}

// fetchSend is host.send(spec): it starts the request and returns
// [promise, abort]. The promise resolves with the raw response or rejects
// with a failure description; the JavaScript side makes them a Response or
// an error.
func (v *vm) fetchSend(call goja.FunctionCall) goja.Value {
	spec, err := v.readFetchSpec(call.Argument(0))
	if err != nil {
		v.throwTypeError("%v", err)
	}
	shared := &v.plugin.fetch
	client, err := shared.get(v.plugin.opts)
	if err != nil {
		panic(v.rt.NewGoError(err))
	}
	owner := v.current
	parent := v.ctx
	if owner != nil {
		parent = owner.context(v)
		spec.caller = owner.function
	}
	promise, resolve, reject := v.rt.NewPromise()
	ctx, cancel := context.WithCancelCause(parent)
	abort := func(goja.FunctionCall) goja.Value {
		cancel(errFetchAborted)
		return goja.Undefined()
	}
	result := v.rt.NewArray(promise, abort)
	if !shared.begin() {
		cancel(nil)
		_ = reject(v.fetchFailureValue(&fetchFailure{
			Type:    "system",
			Message: fmt.Sprintf("request to %s failed, reason: the plugin is shutting down", spec.url),
		}))
		return result
	}
	go func() {
		defer shared.end()
		res, failure := doFetch(ctx, client, spec)
		cancel(nil)
		if failure != nil && errors.Is(parent.Err(), context.DeadlineExceeded) {
			// The call timed out: it fails as a timeout and its VM is
			// discarded. Settling here could let the plugin catch a
			// FetchError first and carry on past its deadline.
			return
		}
		v.runOnLoop(owner, func() {
			if failure != nil {
				_ = reject(v.fetchFailureValue(failure))
				return
			}
			_ = resolve(v.fetchResultValue(res))
		})
	}()
	return result
}

func (v *vm) readFetchSpec(val goja.Value) (*fetchSpec, error) {
	obj, ok := val.(*goja.Object)
	if !ok {
		return nil, errors.New("fetch: invalid request")
	}
	rawURL := obj.Get("url").String()
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("Invalid URL: %s", rawURL)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("Only HTTP(S) protocols are supported")
	}
	if u.Host == "" {
		return nil, errors.New("Only absolute URLs are supported")
	}
	spec := &fetchSpec{
		url:      u,
		method:   obj.Get("method").String(),
		header:   make(http.Header),
		redirect: obj.Get("redirect").String(),
		follow:   int(obj.Get("follow").ToInteger()),
		timeout:  msToTimeout(obj.Get("timeout").ToFloat()),
		compress: obj.Get("compress").ToBoolean(),
		size:     obj.Get("size").ToInteger(),
	}
	var flat []string
	if err := v.rt.ExportTo(obj.Get("headers"), &flat); err != nil {
		return nil, fmt.Errorf("fetch: headers: %w", err)
	}
	for i := 0; i+1 < len(flat); i += 2 {
		name, value := flat[i], latin1(flat[i+1])
		if strings.EqualFold(name, "host") {
			spec.host = value
			continue
		}
		key := http.CanonicalHeaderKey(name)
		spec.header[key] = append(spec.header[key], value)
	}
	if body := obj.Get("body"); body != nil && !goja.IsNull(body) && !goja.IsUndefined(body) {
		var b []byte
		if err := v.rt.ExportTo(body, &b); err != nil {
			return nil, fmt.Errorf("fetch: body: %w", err)
		}
		spec.body = bytes.Clone(b)
		if spec.body == nil {
			spec.body = []byte{}
		}
	}
	return spec, nil
}

// msToTimeout reads node-fetch's timeout option: 0 (or anything not a
// positive number of milliseconds below ~290 years) means none.
func msToTimeout(ms float64) time.Duration {
	if !(ms > 0) || ms >= float64(math.MaxInt64/int64(time.Millisecond)) {
		return 0
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// latin1 writes a header string as Node does: one byte per character.
func latin1(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			b := make([]byte, 0, len(s))
			for _, r := range s {
				b = append(b, byte(r))
			}
			return string(b)
		}
	}
	return s
}

// fromLatin1 reads header bytes as Node does: one character per byte.
func fromLatin1(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			r := make([]rune, len(s))
			for j := 0; j < len(s); j++ {
				r[j] = rune(s[j])
			}
			return string(r)
		}
	}
	return s
}

func (v *vm) fetchResultValue(res *fetchResult) goja.Value {
	rt := v.rt
	obj := rt.NewObject()
	header := make([]any, len(res.header))
	for i, s := range res.header {
		header[i] = s
	}
	_ = obj.Set("url", res.url)
	_ = obj.Set("status", res.status)
	_ = obj.Set("statusText", res.statusText)
	_ = obj.Set("headers", rt.NewArray(header...))
	_ = obj.Set("body", rt.NewArrayBuffer(res.body))
	_ = obj.Set("counter", res.redirects)
	return obj
}

func (v *vm) fetchFailureValue(f *fetchFailure) goja.Value {
	obj := v.rt.NewObject()
	_ = obj.Set("type", f.Type)
	_ = obj.Set("message", f.Message)
	if f.Code != "" {
		_ = obj.Set("code", f.Code)
	}
	return obj
}

//------------------------------------------------------------------------------

// fetchShared is a plugin instance's HTTP client, shared by its VMs and
// built on the first fetch. Plugin.Close waits for the requests still
// running (all cancelled once the VMs have gone) and closes idle
// connections, so no goroutine outlives the plugin.
type fetchShared struct {
	once      sync.Once
	client    *http.Client
	transport *http.Transport
	err       error

	// proxy and resolver replace http.ProxyFromEnvironment and the default
	// resolver when set before the first fetch (tests).
	proxy    func(*http.Request) (*url.URL, error)
	resolver *net.Resolver

	proxyAddrs sync.Map // host:port of proxies requests went through

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
}

type redirectStateKey struct{}

// redirectState carries a request's redirect settings to CheckRedirect and
// the number of redirects followed back.
type redirectState struct {
	mode    string
	follow  int
	count   int
	failure *fetchFailure
}

func (s *fetchShared) get(opts Options) (*http.Client, error) {
	s.once.Do(func() {
		guard, err := newFetchGuard(opts.FetchAllow, opts.FetchDenyPrivate)
		if err != nil {
			s.err = err
			return
		}
		proxy := s.proxy
		if proxy == nil {
			proxy = http.ProxyFromEnvironment
		}
		isProxy := func(addr string) bool {
			_, ok := s.proxyAddrs.Load(addr)
			return ok
		}
		s.transport = &http.Transport{
			Proxy: func(req *http.Request) (*url.URL, error) {
				u, err := proxy(req)
				if err != nil || u == nil {
					return u, err
				}
				host, port := hostPort(u)
				s.proxyAddrs.Store(net.JoinHostPort(u.Hostname(), port), true)
				s.proxyAddrs.Store(net.JoinHostPort(host, port), true)
				if err := guard.checkLiteral(req.URL); err != nil {
					return nil, err
				}
				return u, nil
			},
			DialContext:           guard.dialContext(s.resolver, isProxy),
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
			DisableCompression:    true,
		}
		s.client = &http.Client{
			Transport:     &guardedTransport{base: s.transport, guard: guard},
			CheckRedirect: checkFetchRedirect,
		}
	})
	if s.client == nil && s.err == nil {
		return nil, errors.New("fetch is unavailable: the plugin is closed")
	}
	return s.client, s.err
}

func (s *fetchShared) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

func (s *fetchShared) end() { s.inflight.Done() }

// close refuses new requests, waits (boundedly) for running ones and closes
// idle connections.
func (s *fetchShared) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	// Wait for a first fetch building the client, or keep one from being
	// built: either way s.transport is then safe to read.
	s.once.Do(func() {})
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	if s.transport != nil {
		s.transport.CloseIdleConnections()
	}
}

// guardedTransport applies fetch_allow to every request sent, redirects
// included.
type guardedTransport struct {
	base  *http.Transport
	guard *fetchGuard
}

func (t *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.guard.checkAllowed(req.URL); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(req)
}

func checkFetchRedirect(req *http.Request, via []*http.Request) error {
	st, _ := req.Context().Value(redirectStateKey{}).(*redirectState)
	if st == nil {
		st = &redirectState{mode: "follow", follow: 20}
	}
	prev := via[len(via)-1].URL.String()
	switch st.mode {
	case "follow":
	case "error":
		st.failure = &fetchFailure{Type: "no-redirect", Message: "uri requested responds with a redirect, redirect mode is set to error: " + prev}
		return errors.New(st.failure.Message)
	default: // "manual", or a mode node-fetch does not know
		return http.ErrUseLastResponse
	}
	if len(via) > st.follow {
		st.failure = &fetchFailure{Type: "max-redirect", Message: "maximum redirect reached at: " + prev}
		return errors.New(st.failure.Message)
	}
	st.count = len(via)
	return nil
}

// doFetch runs one request and reads its body; it runs in a goroutine.
func doFetch(ctx context.Context, client *http.Client, spec *fetchSpec) (*fetchResult, *fetchFailure) {
	parent := ctx
	st := &redirectState{mode: spec.redirect, follow: spec.follow}
	ctx = context.WithValue(ctx, redirectStateKey{}, st)

	// node-fetch's timeout covers the wait for the response, then, afresh,
	// the body.
	var timedOut atomic.Int32
	bodyPhase := func() {}
	if spec.timeout > 0 {
		var phase atomic.Int32
		phase.Store(1)
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		timer := time.AfterFunc(spec.timeout, func() {
			timedOut.Store(phase.Load())
			cancel(errFetchTimeout)
		})
		defer timer.Stop()
		bodyPhase = func() {
			phase.Store(2)
			timer.Reset(spec.timeout)
		}
	}
	return sendFetch(ctx, parent, client, spec, st, &timedOut, bodyPhase)
}

func sendFetch(ctx, parent context.Context, client *http.Client, spec *fetchSpec, st *redirectState, timedOut *atomic.Int32, bodyPhase func()) (*fetchResult, *fetchFailure) {
	var body io.Reader
	if spec.body != nil {
		body = bytes.NewReader(spec.body)
	}
	req, err := http.NewRequestWithContext(ctx, spec.method, spec.url.String(), body)
	if err != nil {
		return nil, &fetchFailure{Type: "system", Message: fmt.Sprintf("request to %s failed, reason: %v", spec.url, err)}
	}
	req.Header = spec.header
	if spec.host != "" {
		req.Host = spec.host
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fetchFailureFor(ctx, parent, spec, st, timedOut, err, false)
	}
	defer resp.Body.Close()
	bodyPhase()

	finalURL := resp.Request.URL.String()
	res := &fetchResult{
		url:        finalURL,
		status:     resp.StatusCode,
		statusText: strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)+" "),
		redirects:  st.count,
	}
	if res.statusText == resp.Status {
		res.statusText = http.StatusText(resp.StatusCode)
	}
	header := resp.Header
	if loc := header.Get("Location"); loc != "" && spec.redirect == "manual" && isRedirectStatus(resp.StatusCode) {
		// node-fetch v2 makes a manual redirect's Location absolute.
		if abs, err := resp.Request.URL.Parse(loc); err == nil {
			header = header.Clone()
			header.Set("Location", abs.String())
		}
	}
	res.header = flattenHeader(header, resp.TransferEncoding)

	res.body, err = readFetchBody(resp, spec)
	if err != nil {
		var tooBig *bodyTooLargeError
		if errors.As(err, &tooBig) {
			return nil, &fetchFailure{Type: "max-size", Message: fmt.Sprintf("content size at %s over limit: %d%s", finalURL, tooBig.limit, tooBig.note)}
		}
		return nil, fetchFailureFor(ctx, parent, spec, st, timedOut, &bodyReadError{url: finalURL, err: err}, true)
	}
	return res, nil
}

func isRedirectStatus(code int) bool {
	return code == 301 || code == 302 || code == 303 || code == 307 || code == 308
}

// flattenHeader lists a response's headers as node-fetch sees them: lower
// case names, sorted, values as Latin-1 strings.
func flattenHeader(h http.Header, transferEncoding []string) []string {
	names := make([]string, 0, len(h)+1)
	for name := range h {
		names = append(names, name)
	}
	if len(transferEncoding) > 0 && h.Get("Transfer-Encoding") == "" {
		names = append(names, "Transfer-Encoding")
	}
	slices.Sort(names)
	out := make([]string, 0, 2*len(names))
	for _, name := range names {
		lower := strings.ToLower(name)
		values := h[name]
		if name == "Transfer-Encoding" && len(values) == 0 {
			values = []string{strings.Join(transferEncoding, ", ")}
		}
		for _, value := range values {
			out = append(out, lower, fromLatin1(value))
		}
	}
	return out
}

type bodyTooLargeError struct {
	limit int64
	note  string
}

func (e *bodyTooLargeError) Error() string { return fmt.Sprintf("body over %d bytes", e.limit) }

type bodyReadError struct {
	url string
	err error
}

func (e *bodyReadError) Error() string { return e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// readFetchBody reads the (decoded) body, up to the size option and at most
// maxFetchBody bytes.
func readFetchBody(resp *http.Response, spec *fetchSpec) ([]byte, error) {
	limit, note := int64(maxFetchBody), " (hogpipe's response size limit)"
	if spec.size > 0 && spec.size <= limit {
		limit, note = spec.size, ""
	}
	var r io.Reader = resp.Body
	decoded := false
	encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	decode := spec.compress && spec.method != http.MethodHead &&
		resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotModified
	if decode {
		switch encoding {
		case "gzip", "x-gzip":
			br := bufio.NewReader(r)
			if _, err := br.Peek(1); err == io.EOF {
				return []byte{}, nil
			}
			gz, err := gzip.NewReader(br)
			if err != nil {
				return nil, err
			}
			defer gz.Close()
			r, decoded = gz, true
		case "deflate", "x-deflate":
			br := bufio.NewReader(r)
			first, err := br.Peek(1)
			if err == io.EOF {
				return []byte{}, nil
			}
			if err != nil {
				return nil, err
			}
			if first[0]&0x0f == 0x08 {
				zr, err := zlib.NewReader(br)
				if err != nil {
					return nil, err
				}
				defer zr.Close()
				r, decoded = zr, true
			} else {
				fr := flate.NewReader(br)
				defer fr.Close()
				r, decoded = fr, true
			}
		}
	}
	if resp.ContentLength > limit && !decoded {
		return nil, &bodyTooLargeError{limit: limit, note: note}
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 && resp.ContentLength <= limit {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, &bodyTooLargeError{limit: limit, note: note}
	}
	return buf.Bytes(), nil
}

// fetchFailureFor describes why a request failed as node-fetch would.
func fetchFailureFor(ctx, parent context.Context, spec *fetchSpec, st *redirectState, timedOut *atomic.Int32, err error, inBody bool) *fetchFailure {
	target := spec.url.String()
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != "" {
		target = ue.URL
	}
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errFetchAborted):
		return &fetchFailure{Type: "aborted", Message: "The user aborted a request."}
	case errors.Is(cause, errFetchTimeout):
		if timedOut.Load() == 2 {
			return &fetchFailure{Type: "body-timeout", Message: fmt.Sprintf("Response timeout while trying to fetch %s (over %dms)", target, spec.timeout.Milliseconds())}
		}
		return &fetchFailure{Type: "request-timeout", Message: "network timeout at: " + target}
	}
	if parent.Err() != nil {
		who := spec.caller
		if who == "" {
			who = "the plugin VM"
		}
		if errors.Is(parent.Err(), context.DeadlineExceeded) {
			return &fetchFailure{Type: "system", Code: "ETIMEDOUT", Message: fmt.Sprintf("request to %s failed, reason: %s timed out", target, who)}
		}
		return &fetchFailure{Type: "system", Code: "ECANCELED", Message: fmt.Sprintf("request to %s failed, reason: %s ended before the request finished", target, who)}
	}
	if st.failure != nil {
		return st.failure
	}
	code, reason := describeFetchError(err)
	var refused *fetchRefusedError
	if errors.As(err, &refused) {
		code, reason = "ERR_FETCH_REFUSED", refused.Error()
	}
	var be *bodyReadError
	if inBody && errors.As(err, &be) {
		if isDecodeError(be.err) {
			code = "Z_DATA_ERROR"
		}
		return &fetchFailure{Type: "system", Code: code, Message: fmt.Sprintf("Invalid response body while trying to fetch %s: %s", be.url, reason)}
	}
	return &fetchFailure{Type: "system", Code: code, Message: fmt.Sprintf("request to %s failed, reason: %s", target, reason)}
}

func isDecodeError(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, zlib.ErrHeader) || errors.Is(err, zlib.ErrChecksum) || errors.Is(err, zlib.ErrDictionary) ||
		errors.As(err, &corrupt)
}

// errnoCodes are the system errors given Node's code names.
var errnoCodes = map[syscall.Errno]string{
	syscall.ECONNREFUSED:  "ECONNREFUSED",
	syscall.ECONNRESET:    "ECONNRESET",
	syscall.ECONNABORTED:  "ECONNABORTED",
	syscall.ETIMEDOUT:     "ETIMEDOUT",
	syscall.EHOSTUNREACH:  "EHOSTUNREACH",
	syscall.ENETUNREACH:   "ENETUNREACH",
	syscall.EPIPE:         "EPIPE",
	syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL",
	syscall.EACCES:        "EACCES",
}

// describeFetchError gives Node's error code for err, where one applies,
// and the reason text ("connect ECONNREFUSED 127.0.0.1:80").
func describeFetchError(err error) (code, reason string) {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	var be *bodyReadError
	if errors.As(inner, &be) {
		inner = be.err
	}
	reason = inner.Error()

	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return "ENOTFOUND", "getaddrinfo ENOTFOUND " + dnsErr.Name
		}
		return "EAI_AGAIN", "getaddrinfo EAI_AGAIN " + dnsErr.Name
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name, ok := errnoCodes[errno]; ok {
			var opErr *net.OpError
			if errors.As(err, &opErr) {
				op := opErr.Op
				if op == "dial" {
					op = "connect"
				}
				if opErr.Addr != nil {
					return name, fmt.Sprintf("%s %s %s", op, name, opErr.Addr)
				}
				return name, op + " " + name
			}
			return name, reason
		}
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordHeader tls.RecordHeaderError
	switch {
	case errors.As(err, &unknownAuthority):
		return "UNABLE_TO_VERIFY_LEAF_SIGNATURE", reason
	case errors.As(err, &hostname):
		return "ERR_TLS_CERT_ALTNAME_INVALID", reason
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "CERT_HAS_EXPIRED", reason
	case errors.As(err, &recordHeader):
		return "EPROTO", reason
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "ECONNRESET", "socket hang up"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "ETIMEDOUT", reason
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "ETIMEDOUT", reason
	}
	return "", reason
}
