(function (module, exports, require, host) {
  "use strict";
  const customInspect = Symbol.for("nodejs.util.inspect.custom");
  const customPromisify = Symbol.for("nodejs.util.promisify.custom");
  const objToString = (v) => Object.prototype.toString.call(v);
  const fnToString = Function.prototype.toString;

  function invalidArgType(name, expected, value) {
    let received;
    if (value === null) received = "Received null";
    else if (value === undefined) received = "Received undefined";
    else if (typeof value === "function") received = "Received function " + (value.name || "");
    else if (typeof value === "object") received = "Received an instance of " + ((value.constructor && value.constructor.name) || "Object");
    else received = "Received type " + typeof value + " (" + inspect(value) + ")";
    const e = new TypeError('The "' + name + '" argument must be of type ' + expected + ". " + received);
    e.code = "ERR_INVALID_ARG_TYPE";
    return e;
  }

  //--------------------------------------------------------------------------
  // types

  const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
  const typedArrayTag = Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag).get;
  const taTag = (v) => { try { return typedArrayTag.call(v); } catch (_) { return undefined; } };
  const isTypedArray = (v) => taTag(v) !== undefined;
  const tagIs = (tag) => (v) => v !== null && typeof v === "object" && objToString(v) === "[object " + tag + "]";
  const fnCtorName = (v) => typeof v === "function" ? Object.getPrototypeOf(v) && Object.getPrototypeOf(v).constructor && Object.getPrototypeOf(v).constructor.name : undefined;
  const isBoxed = (v, Ctor, method) => {
    if (v === null || typeof v !== "object") return false;
    try { method.call(v); return true; } catch (_) { return false; }
  };
  const types = {
    isDate: (v) => v instanceof Date || tagIs("Date")(v),
    isRegExp: (v) => v instanceof RegExp,
    isMap: (v) => v instanceof Map,
    isSet: (v) => v instanceof Set,
    isWeakMap: (v) => v instanceof WeakMap,
    isWeakSet: (v) => v instanceof WeakSet,
    isPromise: (v) => v instanceof Promise,
    isNativeError: (v) => v instanceof Error,
    isArrayBuffer: (v) => v instanceof ArrayBuffer,
    isAnyArrayBuffer: (v) => v instanceof ArrayBuffer,
    isSharedArrayBuffer: () => false,
    isDataView: (v) => v instanceof DataView,
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isTypedArray,
    isUint8Array: (v) => taTag(v) === "Uint8Array",
    isUint8ClampedArray: (v) => taTag(v) === "Uint8ClampedArray",
    isUint16Array: (v) => taTag(v) === "Uint16Array",
    isUint32Array: (v) => taTag(v) === "Uint32Array",
    isInt8Array: (v) => taTag(v) === "Int8Array",
    isInt16Array: (v) => taTag(v) === "Int16Array",
    isInt32Array: (v) => taTag(v) === "Int32Array",
    isFloat32Array: (v) => taTag(v) === "Float32Array",
    isFloat64Array: (v) => taTag(v) === "Float64Array",
    isBigInt64Array: (v) => taTag(v) === "BigInt64Array",
    isBigUint64Array: (v) => taTag(v) === "BigUint64Array",
    isAsyncFunction: (v) => fnCtorName(v) === "AsyncFunction" || fnCtorName(v) === "AsyncGeneratorFunction",
    isGeneratorFunction: (v) => fnCtorName(v) === "GeneratorFunction" || fnCtorName(v) === "AsyncGeneratorFunction",
    isGeneratorObject: tagIs("Generator"),
    isMapIterator: tagIs("Map Iterator"),
    isSetIterator: tagIs("Set Iterator"),
    isArgumentsObject: tagIs("Arguments"),
    isNumberObject: (v) => isBoxed(v, Number, Number.prototype.valueOf),
    isStringObject: (v) => isBoxed(v, String, String.prototype.valueOf),
    isBooleanObject: (v) => isBoxed(v, Boolean, Boolean.prototype.valueOf),
    isBigIntObject: (v) => typeof BigInt === "function" && isBoxed(v, BigInt, BigInt.prototype.valueOf),
    isSymbolObject: (v) => isBoxed(v, Symbol, Symbol.prototype.valueOf),
    isBoxedPrimitive: (v) => types.isNumberObject(v) || types.isStringObject(v) || types.isBooleanObject(v) || types.isBigIntObject(v) || types.isSymbolObject(v),
    isProxy: () => false,
    isExternal: () => false,
    isModuleNamespaceObject: (v) => tagIs("Module")(v),
    isKeyObject: () => false,
    isCryptoKey: () => false,
  };

  //--------------------------------------------------------------------------
  // inspect

  const inspectDefaults = {
    showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false,
    maxArrayLength: 100, maxStringLength: 10000, breakLength: 80, compact: 3, sorted: false, getters: false,
    numericSeparator: false,
  };
  const identRe = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  const meta = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 92: "\\\\" };

  function strEscape(str) {
    let quote = "'";
    if (str.includes("'")) {
      if (!str.includes('"')) quote = '"';
      else if (!str.includes("\u0060") && !str.includes("${")) quote = "\u0060";
    }
    let out = "";
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c === quote.charCodeAt(0)) out += "\\" + quote;
      else if (meta[c] !== undefined) out += meta[c];
      else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).toUpperCase().padStart(2, "0");
      else if (c >= 0xd800 && c <= 0xdfff) {
        const next = str.charCodeAt(i + 1);
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) { out += str[i] + str[i + 1]; i++; }
        else out += "\\u" + c.toString(16).toUpperCase();
      } else out += str[i];
    }
    return quote + out + quote;
  }

  function formatNumber(n) {
    return Object.is(n, -0) ? "-0" : String(n);
  }

  function formatPrimitive(ctx, v) {
    switch (typeof v) {
      case "string": {
        let trailer = "";
        if (v.length > ctx.maxStringLength) {
          const remaining = v.length - ctx.maxStringLength;
          v = v.slice(0, ctx.maxStringLength);
          trailer = "... " + remaining + " more character" + (remaining > 1 ? "s" : "");
        }
        return strEscape(v) + trailer;
      }
      case "number": return formatNumber(v);
      case "bigint": return String(v) + "n";
      case "boolean": return String(v);
      case "undefined": return "undefined";
      case "symbol": return v.toString();
    }
    return String(v);
  }

  function formatValue(ctx, value, recurseTimes, typedArray) {
    if (value === null) return "null";
    if (typeof value !== "object" && typeof value !== "function") return formatPrimitive(ctx, value);
    if (ctx.customInspect) {
      let maybeCustom;
      try { maybeCustom = value[customInspect]; } catch (_) { maybeCustom = undefined; }
      if (typeof maybeCustom === "function" && maybeCustom !== inspect) {
        const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
        const opts = Object.assign({}, ctx.userOptions, { depth });
        const ret = maybeCustom.call(value, depth, opts, inspect);
        if (ret !== value) {
          if (typeof ret !== "string") return formatValue(ctx, ret, recurseTimes);
          return ret.replace(/\n/g, "\n" + " ".repeat(ctx.indentationLvl));
        }
      }
    }
    if (ctx.seen.includes(value)) {
      let index = 1;
      if (ctx.circular === undefined) {
        ctx.circular = new Map();
        ctx.circular.set(value, index);
      } else {
        index = ctx.circular.get(value);
        if (index === undefined) {
          index = ctx.circular.size + 1;
          ctx.circular.set(value, index);
        }
      }
      return "[Circular *" + index + "]";
    }
    return formatRaw(ctx, value, recurseTimes, typedArray);
  }

  function ownKeys(ctx, value, filterIndices) {
    let keys;
    if (ctx.showHidden) {
      keys = Object.getOwnPropertyNames(value);
      keys = keys.concat(Object.getOwnPropertySymbols(value));
    } else {
      keys = Object.keys(value);
      for (const s of Object.getOwnPropertySymbols(value)) {
        const d = Object.getOwnPropertyDescriptor(value, s);
        if (d && d.enumerable) keys.push(s);
      }
    }
    if (filterIndices) keys = keys.filter((k) => typeof k === "symbol" || !/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= 4294967295);
    return keys;
  }

  function constructorName(obj) {
    let o = obj;
    while (o !== null && o !== undefined) {
      const d = Object.getOwnPropertyDescriptor(o, "constructor");
      if (d !== undefined && typeof d.value === "function" && d.value.name !== "") return d.value.name;
      o = Object.getPrototypeOf(o);
    }
    return null;
  }

  function prefixOf(ctor, tag, fallback, size) {
    if (ctor === null) {
      if (tag !== "" && fallback !== tag) return "[" + fallback + (size !== undefined ? "(" + size + ")" : "") + ": null prototype] [" + tag + "] ";
      return "[" + fallback + (size !== undefined ? "(" + size + ")" : "") + ": null prototype] ";
    }
    if (tag !== "" && ctor !== tag) return ctor + (size !== undefined ? "(" + size + ")" : "") + " [" + tag + "] ";
    return ctor + (size !== undefined ? "(" + size + ")" : "") + " ";
  }

  function functionBase(value, ctor, tag) {
    const src = fnToString.call(value);
    if (src.startsWith("class") && /^class(\s|\{)/.test(src)) {
      let base = "[class " + (value.name || "(anonymous)");
      const parent = Object.getPrototypeOf(value);
      if (parent && parent.name) base += " extends " + parent.name;
      return base + "]";
    }
    let type = "Function";
    const kind = fnCtorName(value);
    if (kind === "AsyncFunction" || kind === "GeneratorFunction" || kind === "AsyncGeneratorFunction") type = kind;
    let base = "[" + type;
    if (ctor === null) base += " (null prototype)";
    base += value.name === "" ? " (anonymous)" : ": " + value.name;
    base += "]";
    if (ctor !== type && ctor !== null && ctor !== "Function") base += " " + ctor;
    if (tag !== "" && ctor !== tag) base += " [" + tag + "]";
    return base;
  }

  function formatError(err, ctx) {
    const name = err.name != null ? String(err.name) : "Error";
    const message = err.message != null ? String(err.message) : "";
    let stack = typeof err.stack === "string" && err.stack !== "" ? err.stack : null;
    if (stack === null) return "[" + (message ? name + ": " + message : name) + "]";
    stack = stack.replace(/\n\t/g, "\n    ").replace(/\s+$/, "");
    if (!/\n\s+at /.test(stack)) {
      const first = message ? name + ": " + message : name;
      if (stack.trim() === first || stack.indexOf("\n") < 0) return "[" + stack + "]";
    }
    if (ctx.indentationLvl !== 0) stack = stack.replace(/\n/g, "\n" + " ".repeat(ctx.indentationLvl));
    return stack;
  }

  function hexBytes(bytes, max) {
    let s = "";
    const n = Math.min(bytes.length, max);
    for (let i = 0; i < n; i++) s += (i ? " " : "") + bytes[i].toString(16).padStart(2, "0");
    if (bytes.length > max) s += " ... " + (bytes.length - max) + " more byte" + (bytes.length - max > 1 ? "s" : "");
    return s;
  }

  function formatRaw(ctx, value, recurseTimes, typedArray) {
    let keys;
    const ctor = constructorName(value);
    let tag = value[Symbol.toStringTag];
    if (typeof tag !== "string" || (tag !== "" && (ctx.showHidden ? Object.prototype.hasOwnProperty : Object.prototype.propertyIsEnumerable).call(value, Symbol.toStringTag))) tag = "";
    let base = "";
    let braces;
    let formatter = () => [];
    let extrasType = "object";
    let noIterator = true;
    let entries = 0;

    if (typeof Buffer === "function" && value instanceof Buffer) {
      let str = hexBytes(value, 50);
      const extra = ownKeys(ctx, value, true);
      if (extra.length === 0) return "<Buffer" + (str ? " " + str : "") + ">";
    }

    if (Symbol.iterator in value || ctor === null) {
      noIterator = false;
      if (Array.isArray(value)) {
        const prefix = (ctor !== "Array" || tag !== "") ? prefixOf(ctor, tag, "Array", value.length) : "";
        keys = ownKeys(ctx, value, true);
        braces = [prefix + "[", "]"];
        if (value.length === 0 && keys.length === 0) return braces[0] + "]";
        extrasType = "array";
        formatter = formatArray;
      } else if (value instanceof Set) {
        keys = ownKeys(ctx, value, false);
        const prefix = prefixOf(ctor, tag, "Set", value.size);
        formatter = formatSet;
        if (value.size === 0 && keys.length === 0) return prefix + "{}";
        braces = [prefix + "{", "}"];
      } else if (value instanceof Map) {
        keys = ownKeys(ctx, value, false);
        const prefix = prefixOf(ctor, tag, "Map", value.size);
        formatter = formatMap;
        if (value.size === 0 && keys.length === 0) return prefix + "{}";
        braces = [prefix + "{", "}"];
      } else if (isTypedArray(value)) {
        keys = ownKeys(ctx, value, true);
        const fallback = taTag(value);
        const prefix = prefixOf(ctor, tag, fallback, value.length);
        braces = [prefix + "[", "]"];
        if (value.length === 0 && keys.length === 0) return braces[0] + "]";
        formatter = formatTypedArray;
        extrasType = "array";
      } else if (tagIs("Map Iterator")(value) || tagIs("Set Iterator")(value)) {
        keys = ownKeys(ctx, value, false);
        braces = ["[" + objToString(value).slice(8, -1) + "] {", "}"];
        formatter = () => ["<items unknown>"];
      } else {
        noIterator = true;
      }
    }
    if (noIterator) {
      keys = ownKeys(ctx, value, false);
      braces = ["{", "}"];
      if (ctor === "Object" && !types.isArgumentsObject(value) && !types.isBoxedPrimitive(value) && !(value instanceof Error)) {
        if (tag !== "") braces[0] = prefixOf(ctor, tag, "Object") + "{";
        if (keys.length === 0) return braces[0] + "}";
      } else if (typeof value === "function") {
        base = functionBase(value, ctor, tag);
        keys = keys.filter((k) => k !== "prototype" || ctx.showHidden);
        if (keys.length === 0) return base;
      } else if (value instanceof RegExp || tagIs("RegExp")(value)) {
        base = RegExp.prototype.toString.call(value);
        const prefix = prefixOf(ctor, tag, "RegExp");
        if (prefix !== "RegExp ") base = prefix + base;
        keys = keys.filter((k) => k !== "lastIndex");
        if (keys.length === 0) return base;
      } else if (types.isDate(value)) {
        base = Number.isNaN(Date.prototype.getTime.call(value)) ? Date.prototype.toString.call(value) : Date.prototype.toISOString.call(value);
        const prefix = prefixOf(ctor, tag, "Date");
        if (prefix !== "Date ") base = prefix + base;
        if (keys.length === 0) return base;
      } else if (value instanceof Error) {
        base = formatError(value, ctx);
        keys = keys.filter((k) => k !== "stack" && k !== "message");
        if (keys.length === 0) return base;
      } else if (types.isArgumentsObject(value)) {
        braces[0] = "[Arguments] [";
        braces[1] = "]";
        extrasType = "array";
        formatter = formatArray;
        keys = ownKeys(ctx, value, true);
        if (value.length === 0 && keys.length === 0) return "[Arguments] []";
      } else if (value instanceof ArrayBuffer) {
        const bytes = new Uint8Array(value);
        const prefix = prefixOf(ctor, tag, "ArrayBuffer");
        formatter = () => ["[Uint8Contents]: <" + hexBytes(bytes, ctx.maxArrayLength) + ">", "byteLength: " + value.byteLength];
        braces[0] = prefix + "{";
        if (typedArray) return prefix + "{ byteLength: " + value.byteLength + " }";
      } else if (value instanceof DataView) {
        braces[0] = prefixOf(ctor, tag, "DataView") + "{";
        formatter = () => ["byteLength: " + value.byteLength, "byteOffset: " + value.byteOffset,
          "buffer: " + formatValue(ctx, value.buffer, recurseTimes, true)];
      } else if (value instanceof Promise) {
        braces[0] = prefixOf(ctor, tag, "Promise") + "{";
        formatter = () => {
          const [state, result] = host.promiseState(value);
          if (state === "pending") return ["<pending>"];
          ctx.indentationLvl += 2;
          const str = formatValue(ctx, result, recurseTimes);
          ctx.indentationLvl -= 2;
          return [state === "rejected" ? "<rejected> " + str : str];
        };
      } else if (value instanceof WeakSet || value instanceof WeakMap) {
        braces[0] = prefixOf(ctor, tag, value instanceof WeakSet ? "WeakSet" : "WeakMap") + "{";
        formatter = () => ["<items unknown>"];
      } else if (types.isBoxedPrimitive(value)) {
        let type, prim;
        if (types.isNumberObject(value)) { type = "Number"; prim = formatNumber(Number.prototype.valueOf.call(value)); }
        else if (types.isStringObject(value)) {
          type = "String"; prim = strEscape(String.prototype.valueOf.call(value));
          keys = keys.filter((k) => typeof k === "symbol" || !/^(0|[1-9][0-9]*)$/.test(k));
        } else if (types.isBooleanObject(value)) { type = "Boolean"; prim = String(Boolean.prototype.valueOf.call(value)); }
        else if (types.isBigIntObject(value)) { type = "BigInt"; prim = String(BigInt.prototype.valueOf.call(value)) + "n"; }
        else { type = "Symbol"; prim = Symbol.prototype.toString.call(value); }
        base = "[" + type;
        if (type !== ctor) base += ctor === null ? " (null prototype)" : " (" + ctor + ")";
        base += ": " + prim + "]";
        if (tag !== "" && tag !== ctor) base += " [" + tag + "]";
        if (keys.length === 0) return base;
      } else {
        braces[0] = prefixOf(ctor, tag, "Object") + "{";
        if (keys.length === 0) return braces[0] + "}";
      }
    }

    if (ctx.depth !== null && recurseTimes > ctx.depth) {
      let name = constructorName(value) || tag || "Object";
      if (Array.isArray(value)) name = ctor === "Array" ? "Array" : name;
      return "[" + name + "]";
    }
    recurseTimes += 1;
    ctx.seen.push(value);
    ctx.currentDepth = recurseTimes;
    let output = formatter(ctx, value, recurseTimes);
    for (const key of keys) output.push(formatProperty(ctx, value, recurseTimes, key, extrasType));
    ctx.seen.pop();
    if (ctx.sorted) {
      const cmp = ctx.sorted === true ? undefined : ctx.sorted;
      if (extrasType === "object") output = output.sort(cmp);
    }
    if (ctx.circular !== undefined) {
      const index = ctx.circular.get(value);
      if (index !== undefined) {
        const reference = "<ref *" + index + ">";
        if (base === "") braces[0] = reference + " " + braces[0];
        else base = reference + " " + base;
      }
    }
    return reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
  }

  function formatArray(ctx, value, recurseTimes) {
    const len = value.length;
    const max = Math.min(ctx.maxArrayLength, len);
    const output = [];
    let holes = 0;
    const flushHoles = () => {
      if (holes > 0) {
        output.push("<" + holes + " empty item" + (holes > 1 ? "s" : "") + ">");
        holes = 0;
      }
    };
    let i = 0;
    for (; i < len && output.length < max; i++) {
      if (!Object.prototype.hasOwnProperty.call(value, i)) { holes++; continue; }
      flushHoles();
      if (output.length >= max) break;
      output.push(formatProperty(ctx, value, recurseTimes, i, "element"));
    }
    if (output.length < max) flushHoles();
    const remaining = len - i;
    if (remaining > 0 && output.length >= max) output.push("... " + remaining + " more item" + (remaining > 1 ? "s" : ""));
    return output;
  }

  function formatTypedArray(ctx, value) {
    const max = Math.min(ctx.maxArrayLength, value.length);
    const output = [];
    for (let i = 0; i < max; i++) {
      const v = value[i];
      output.push(typeof v === "bigint" ? String(v) + "n" : formatNumber(v));
    }
    if (value.length > max) output.push("... " + (value.length - max) + " more item" + (value.length - max > 1 ? "s" : ""));
    if (ctx.showHidden) {
      ctx.indentationLvl += 2;
      for (const key of ["BYTES_PER_ELEMENT", "length", "byteLength", "byteOffset", "buffer"]) {
        output.push("[" + key + "]: " + formatValue(ctx, value[key], ctx.currentDepth, true));
      }
      ctx.indentationLvl -= 2;
    }
    return output;
  }

  function formatSet(ctx, value, recurseTimes) {
    const output = [];
    ctx.indentationLvl += 2;
    for (const v of value) output.push(formatValue(ctx, v, recurseTimes));
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatMap(ctx, value, recurseTimes) {
    const output = [];
    ctx.indentationLvl += 2;
    for (const [k, v] of value) output.push(formatValue(ctx, k, recurseTimes) + " => " + formatValue(ctx, v, recurseTimes));
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatProperty(ctx, value, recurseTimes, key, type) {
    let str;
    const desc = Object.getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
    if (desc.value !== undefined) {
      ctx.indentationLvl += 2;
      str = formatValue(ctx, desc.value, recurseTimes);
      ctx.indentationLvl -= 2;
    } else if (desc.get !== undefined) {
      str = desc.set !== undefined ? "[Getter/Setter]" : "[Getter]";
    } else if (desc.set !== undefined) {
      str = "[Setter]";
    } else {
      str = "undefined";
    }
    if (type === "element") return str;
    let name;
    if (typeof key === "symbol") name = "[" + key.toString() + "]";
    else if (identRe.test(key)) name = key;
    else name = strEscape(key);
    if (desc.enumerable === false) name = "[" + name + "]";
    return name + ": " + str;
  }

  function groupArrayElements(ctx, output, value) {
    let totalLength = 0;
    let maxLength = 0;
    let outputLength = output.length;
    if (ctx.maxArrayLength < output.length || /^\.\.\. \d+ more items?$/.test(output[output.length - 1])) outputLength--;
    const separatorSpace = 2;
    const dataLen = new Array(outputLength);
    for (let i = 0; i < outputLength; i++) {
      const len = output[i].length;
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
      const averageBias = Math.sqrt(actualMax - totalLength / output.length);
      const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
      const columns = Math.min(
        Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
        Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
        ctx.compact * 4,
        15);
      if (columns <= 1) return output;
      const widths = [];
      for (let c = 0; c < columns; c++) {
        let w = 0;
        for (let j = c; j < outputLength; j += columns) if (dataLen[j] > w) w = dataLen[j];
        widths.push(w + separatorSpace);
      }
      let numeric = value !== undefined;
      if (numeric) {
        for (let i = 0; i < output.length; i++) {
          if (typeof value[i] !== "number" && typeof value[i] !== "bigint") { numeric = false; break; }
        }
      }
      const grouped = [];
      for (let i = 0; i < outputLength; i += columns) {
        const max = Math.min(i + columns, outputLength);
        let line = "";
        let j = i;
        for (; j < max - 1; j++) {
          const cell = output[j] + ", ";
          line += numeric ? cell.padStart(widths[j - i], " ") : cell.padEnd(widths[j - i], " ");
        }
        line += numeric ? output[j].padStart(widths[j - i] - separatorSpace, " ") : output[j];
        grouped.push(line);
      }
      if (outputLength < output.length) grouped.push(output[outputLength]);
      return grouped;
    }
    return output;
  }

  function isBelowBreakLength(ctx, output, start, base) {
    let total = output.length + start;
    if (total + output.length > ctx.breakLength) return false;
    for (const entry of output) {
      total += entry.length;
      if (total > ctx.breakLength) return false;
    }
    return base === "" || !base.includes("\n");
  }

  function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
    if (ctx.compact !== true) {
      if (typeof ctx.compact === "number" && ctx.compact >= 1) {
        const entries = output.length;
        if (extrasType === "array" && entries > 6) output = groupArrayElements(ctx, output, value);
        if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
          const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
          if (isBelowBreakLength(ctx, output, start, base)) {
            const joined = output.join(", ");
            if (!joined.includes("\n")) return (base ? base + " " : "") + braces[0] + " " + joined + " " + braces[1];
          }
        }
      }
      const indentation = "\n" + " ".repeat(ctx.indentationLvl);
      return (base ? base + " " : "") + braces[0] + indentation + "  " + output.join("," + indentation + "  ") + indentation + braces[1];
    }
    if (isBelowBreakLength(ctx, output, 0, base)) {
      return braces[0] + (base ? " " + base : "") + " " + output.join(", ") + " " + braces[1];
    }
    const indentation = " ".repeat(ctx.indentationLvl);
    const ln = base === "" && braces[0].length === 1 ? " " : (base ? " " + base : "") + "\n" + indentation + "  ";
    return braces[0] + ln + output.join(",\n" + indentation + "  ") + " " + braces[1];
  }

  function inspect(value, opts) {
    const ctx = Object.assign({}, inspect.defaultOptions, { seen: [], indentationLvl: 0, currentDepth: 0, circular: undefined });
    if (arguments.length > 2) {
      if (arguments[2] !== undefined) ctx.depth = arguments[2];
      if (arguments.length > 3 && arguments[3] !== undefined) ctx.colors = arguments[3];
    }
    if (typeof opts === "boolean") {
      ctx.showHidden = opts;
    } else if (opts !== null && typeof opts === "object") {
      for (const key of Object.keys(opts)) {
        if (Object.prototype.hasOwnProperty.call(inspectDefaults, key) || key === "stylize") ctx[key] = opts[key];
      }
      ctx.userOptions = opts;
    }
    if (ctx.depth === Infinity) ctx.depth = null;
    if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
    if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
    return formatValue(ctx, value, 0);
  }
  inspect.custom = customInspect;
  inspect.defaultOptions = Object.assign({}, inspectDefaults);
  inspect.colors = Object.create(null);
  inspect.styles = Object.create(null);

  //--------------------------------------------------------------------------
  // format

  function hasBuiltInToString(value) {
    let proto = value;
    while (proto !== null && proto !== undefined) {
      const d = Object.getOwnPropertyDescriptor(proto, "toString");
      if (d !== undefined) {
        const ctorDesc = Object.getOwnPropertyDescriptor(proto, "constructor");
        const builtin = proto === Object.prototype || proto === Array.prototype || proto === Error.prototype ||
          proto === Date.prototype || proto === RegExp.prototype || proto === Function.prototype ||
          (ctorDesc && typeof ctorDesc.value === "function" && /\[native code\]/.test(fnToString.call(d.value)));
        return !!builtin;
      }
      proto = Object.getPrototypeOf(proto);
    }
    return true;
  }

  function formatWithOptions(inspectOptions, ...args) {
    const first = args[0];
    let a = 0;
    let str = "";
    let join = "";
    const opts = Object.assign({}, inspectOptions);
    if (typeof first === "string") {
      if (args.length === 1) return first;
      let tempStr;
      let lastPos = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) !== 37) continue;
        const nextChar = first.charCodeAt(++i);
        if (a + 1 !== args.length) {
          switch (nextChar) {
            case 115: { // s
              const arg = args[++a];
              if (typeof arg === "number") tempStr = formatNumber(arg);
              else if (typeof arg === "bigint") tempStr = String(arg) + "n";
              else if (typeof arg !== "object" || arg === null || !hasBuiltInToString(arg)) tempStr = String(arg);
              else tempStr = inspect(arg, Object.assign({}, opts, { depth: 0, colors: false, compact: 3 }));
              break;
            }
            case 106: // j
              try { tempStr = JSON.stringify(args[++a]); } catch (e) {
                if (e instanceof TypeError && /circular/i.test(e.message)) tempStr = "[Circular]";
                else throw e;
              }
              break;
            case 100: { // d
              const n = args[++a];
              if (typeof n === "bigint") tempStr = String(n) + "n";
              else if (typeof n === "symbol") tempStr = "NaN";
              else tempStr = formatNumber(Number(n));
              break;
            }
            case 79: // O
              tempStr = inspect(args[++a], opts);
              break;
            case 111: // o
              tempStr = inspect(args[++a], Object.assign({}, opts, { showHidden: true, showProxy: true, depth: 4 }));
              break;
            case 105: { // i
              const n = args[++a];
              if (typeof n === "bigint") tempStr = String(n) + "n";
              else if (typeof n === "symbol") tempStr = "NaN";
              else tempStr = formatNumber(parseInt(n));
              break;
            }
            case 102: { // f
              const n = args[++a];
              tempStr = typeof n === "symbol" ? "NaN" : formatNumber(parseFloat(n));
              break;
            }
            case 99: // c
              a += 1;
              tempStr = "";
              break;
            case 37: // %
              str += first.slice(lastPos, i);
              lastPos = i + 1;
              continue;
            default:
              continue;
          }
          if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (nextChar === 37) {
          str += first.slice(lastPos, i);
          lastPos = i + 1;
        }
      }
      if (lastPos !== 0) {
        a++;
        join = " ";
        if (lastPos < first.length) str += first.slice(lastPos);
      }
    }
    while (a < args.length) {
      const value = args[a];
      str += join;
      str += typeof value !== "string" ? inspect(value, opts) : value;
      join = " ";
      a++;
    }
    return str;
  }

  const format = (...args) => formatWithOptions(undefined, ...args);

  //--------------------------------------------------------------------------
  // functions

  function promisify(original) {
    if (typeof original !== "function") throw invalidArgType("original", "function", original);
    if (original[customPromisify]) {
      const fn = original[customPromisify];
      if (typeof fn !== "function") throw invalidArgType("util.promisify.custom", "function", fn);
      return Object.defineProperty(fn, customPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
    }
    function fn(...args) {
      return new Promise((resolve, reject) => {
        Reflect.apply(original, this, [...args, (err, ...values) => {
          if (err) reject(err);
          else resolve(values[0]);
        }]);
      });
    }
    Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
    Object.defineProperty(fn, customPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
    const descriptors = Object.getOwnPropertyDescriptors(original);
    for (const k of Reflect.ownKeys(descriptors)) {
      if (k === "length" || k === "name" || k === "prototype" || k === "arguments" || k === "caller") continue;
      try { Object.defineProperty(fn, k, descriptors[k]); } catch (_) {}
    }
    return fn;
  }
  promisify.custom = customPromisify;

  function callbackify(original) {
    if (typeof original !== "function") throw invalidArgType("original", "function", original);
    function callbackified(...args) {
      const cb = args.pop();
      if (typeof cb !== "function") throw invalidArgType("last argument", "function", cb);
      const onOk = (ret) => { Promise.resolve().then(() => cb(null, ret)); };
      const onErr = (rej) => {
        if (!rej) {
          const e = new Error("Promise was rejected with a falsy value");
          e.code = "ERR_FALSY_VALUE_REJECTION";
          e.reason = rej;
          rej = e;
        }
        Promise.resolve().then(() => cb(rej));
      };
      Reflect.apply(original, this, args).then(onOk, onErr);
    }
    Object.setPrototypeOf(callbackified, Object.getPrototypeOf(original));
    return callbackified;
  }

  function inherits(ctor, superCtor) {
    if (ctor === undefined || ctor === null) throw invalidArgType("ctor", "function", ctor);
    if (superCtor === undefined || superCtor === null) throw invalidArgType("superCtor", "function", superCtor);
    if (superCtor.prototype === undefined) throw invalidArgType("superCtor.prototype", "object", superCtor.prototype);
    Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }

  function deprecate(fn, msg, code) {
    let warned = false;
    function deprecated(...args) {
      if (!warned) {
        warned = true;
        if (typeof console !== "undefined" && console.warn) console.warn("DeprecationWarning: " + msg + (code ? " (" + code + ")" : ""));
      }
      return new.target ? Reflect.construct(fn, args, new.target) : Reflect.apply(fn, this, args);
    }
    Object.setPrototypeOf(deprecated, fn);
    if (fn.prototype) deprecated.prototype = fn.prototype;
    return deprecated;
  }

  function isDeepStrictEqual(a, b, memo) {
    if (Object.is(a, b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (objToString(a) !== objToString(b)) return false;
    memo = memo || new Map();
    if (memo.get(a) === b) return true;
    memo.set(a, b);
    if (a instanceof Date) { if (a.getTime() !== b.getTime()) return false; }
    else if (a instanceof RegExp) { if (String(a) !== String(b) || a.lastIndex !== b.lastIndex) return false; }
    else if (a instanceof Error) { if (a.message !== b.message || a.name !== b.name) return false; }
    else if (types.isBoxedPrimitive(a)) { if (!Object.is(a.valueOf(), b.valueOf())) return false; }
    else if (ArrayBuffer.isView(a)) {
      if (a.byteLength !== b.byteLength) return false;
      const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    } else if (a instanceof ArrayBuffer) {
      if (!isDeepStrictEqual(new Uint8Array(a), new Uint8Array(b), memo)) return false;
    }
    if (Array.isArray(a) && a.length !== b.length) return false;
    if (a instanceof Set) {
      if (a.size !== b.size) return false;
      outer: for (const x of a) {
        if (b.has(x)) continue;
        if (typeof x !== "object" || x === null) return false;
        for (const y of b) if (isDeepStrictEqual(x, y, memo)) continue outer;
        return false;
      }
    }
    if (a instanceof Map) {
      if (a.size !== b.size) return false;
      outer: for (const [k, v] of a) {
        if (b.has(k)) { if (!isDeepStrictEqual(v, b.get(k), memo)) return false; continue; }
        if (typeof k !== "object" || k === null) return false;
        for (const [k2, v2] of b) if (isDeepStrictEqual(k, k2, memo) && isDeepStrictEqual(v, v2, memo)) continue outer;
        return false;
      }
    }
    const keysOf = (o) => Object.keys(o).concat(Object.getOwnPropertySymbols(o).filter((s) => Object.prototype.propertyIsEnumerable.call(o, s)));
    const ka = keysOf(a), kb = keysOf(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.propertyIsEnumerable.call(b, k)) return false;
      if (!isDeepStrictEqual(a[k], b[k], memo)) return false;
    }
    return true;
  }

  function stripVTControlCharacters(str) {
    return String(str).replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d\/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d\/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, "");
  }

  function toUSVString(str) {
    return String(str).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  }

  exports.format = format;
  exports.formatWithOptions = formatWithOptions;
  exports.inspect = inspect;
  exports.promisify = promisify;
  exports.callbackify = callbackify;
  exports.inherits = inherits;
  exports.deprecate = deprecate;
  exports.debuglog = () => Object.assign(function debug() {}, { enabled: false });
  exports.debug = exports.debuglog;
  exports.isDeepStrictEqual = (a, b) => isDeepStrictEqual(a, b);
  exports.types = types;
  exports.stripVTControlCharacters = stripVTControlCharacters;
  exports.toUSVString = toUSVString;
  exports.TextEncoder = globalThis.TextEncoder;
  exports.TextDecoder = globalThis.TextDecoder;
  exports.isArray = Array.isArray;
  exports.isBoolean = (v) => typeof v === "boolean";
  exports.isBuffer = (v) => typeof Buffer === "function" && v instanceof Buffer;
  exports.isNull = (v) => v === null;
  exports.isNullOrUndefined = (v) => v === null || v === undefined;
  exports.isNumber = (v) => typeof v === "number";
  exports.isString = (v) => typeof v === "string";
  exports.isSymbol = (v) => typeof v === "symbol";
  exports.isUndefined = (v) => v === undefined;
  exports.isRegExp = types.isRegExp;
  exports.isObject = (v) => v !== null && typeof v === "object";
  exports.isDate = types.isDate;
  exports.isError = (v) => v instanceof Error;
  exports.isFunction = (v) => typeof v === "function";
  exports.isPrimitive = (v) => v === null || (typeof v !== "object" && typeof v !== "function");
  exports._extend = (target, source) => {
    if (source === null || typeof source !== "object") return target;
    for (const k of Object.keys(source)) target[k] = source[k];
    return target;
  };
})
