(function (global) {
  "use strict";
  const define = (name, value) => Object.defineProperty(global, name, { value, writable: true, configurable: true });

  if (typeof global.DOMException !== "function") {
    const codes = { IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
      NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12,
      InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15, TypeMismatchError: 17,
      SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21, QuotaExceededError: 22,
      TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25 };
    class DOMException extends Error {
      constructor(message = "", options = "Error") {
        super(String(message));
        const name = options !== null && typeof options === "object" ? String(options.name === undefined ? "Error" : options.name) : String(options);
        Object.defineProperty(this, "name", { value: name, configurable: true, writable: true });
        if (options !== null && typeof options === "object" && "cause" in options) {
          Object.defineProperty(this, "cause", { value: options.cause, configurable: true, writable: true });
        }
      }
      get code() { return codes[this.name] || 0; }
    }
    Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });
    define("DOMException", DOMException);
  }

  function typeName(value) {
    if (value === null) return "null";
    if (typeof value === "function") return "function " + (value.name || "");
    if (typeof value === "object") return "an instance of " + ((value.constructor && value.constructor.name) || "Object");
    let shown = typeof value === "string" ? "'" + value + "'" : String(value);
    if (typeof value === "bigint") shown += "n";
    return "type " + typeof value + " (" + shown + ")";
  }

  define("queueMicrotask", function queueMicrotask(callback) {
    if (typeof callback !== "function") {
      const e = new TypeError('The "callback" argument must be of type function. Received ' + (callback === undefined ? "undefined" : typeName(callback)));
      e.code = "ERR_INVALID_ARG_TYPE";
      throw e;
    }
    Promise.resolve().then(() => { callback(); });
  });

  const fnToString = Function.prototype.toString;
  const errorCtors = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  const typedArrays = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array].concat(typeof BigInt64Array === "function" ? [BigInt64Array, BigUint64Array] : []);
  const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);

  function cannotClone(value) {
    let shown;
    if (typeof value === "function") shown = fnToString.call(value);
    else if (typeof value === "symbol") shown = value.toString();
    else shown = "#<" + ((value.constructor && value.constructor.name) || tag(value)) + ">";
    return new global.DOMException(shown + " could not be cloned.", "DataCloneError");
  }

  function clone(value, memory) {
    if (typeof value === "symbol" || typeof value === "function") throw cannotClone(value);
    if (value === null || typeof value !== "object") return value;
    if (memory.has(value)) return memory.get(value);
    let out;
    const t = tag(value);
    if (Array.isArray(value)) {
      out = new Array(value.length);
      memory.set(value, out);
      for (const k of Object.keys(value)) out[k] = clone(value[k], memory);
      return out;
    }
    if (value instanceof Date) {
      out = new Date(value.getTime());
    } else if (value instanceof RegExp) {
      out = new RegExp(value.source, value.flags);
    } else if (value instanceof Map) {
      out = new Map();
      memory.set(value, out);
      for (const [k, v] of value) out.set(clone(k, memory), clone(v, memory));
      return out;
    } else if (value instanceof Set) {
      out = new Set();
      memory.set(value, out);
      for (const v of value) out.add(clone(v, memory));
      return out;
    } else if (value instanceof ArrayBuffer) {
      out = value.slice(0);
    } else if (value instanceof DataView) {
      out = new DataView(clone(value.buffer, memory), value.byteOffset, value.byteLength);
    } else if (ArrayBuffer.isView(value)) {
      const Ctor = typedArrays.find((C) => tag(value) === C.name) || Uint8Array;
      out = new Ctor(clone(value.buffer, memory), value.byteOffset, value.length);
    } else if (value instanceof Error) {
      const name = errorCtors[value.name] ? value.name : "Error";
      out = new errorCtors[name](value.message);
      memory.set(value, out);
      if (typeof value.stack === "string") Object.defineProperty(out, "stack", { value: value.stack, writable: true, configurable: true });
      if ("cause" in value) Object.defineProperty(out, "cause", { value: clone(value.cause, memory), writable: true, configurable: true });
      return out;
    } else if (t === "Number" || t === "String" || t === "Boolean" || t === "BigInt") {
      out = Object(value.valueOf());
    } else if (t === "Object" || t === "Arguments") {
      out = {};
      memory.set(value, out);
      for (const k of Object.keys(value)) out[k] = clone(value[k], memory);
      return out;
    } else {
      throw cannotClone(value);
    }
    memory.set(value, out);
    return out;
  }

  define("structuredClone", function structuredClone(value, options) {
    if (arguments.length === 0) {
      const e = new TypeError("The value argument must be specified");
      e.code = "ERR_MISSING_ARGS";
      throw e;
    }
    return clone(value, new Map());
  });
})
