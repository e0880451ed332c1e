(function (module, exports, require, host) {
  "use strict";
  function hexValue(c) {
    if (c >= 48 && c <= 57) return c - 48;
    if (c >= 65 && c <= 70) return c - 55;
    if (c >= 97 && c <= 102) return c - 87;
    return -1;
  }

  // unescapeBuffer decodes the valid %XX escapes of s into bytes and keeps
  // everything else as it is (UTF-8 encoded).
  function unescapeBuffer(s, decodeSpaces) {
    s = String(s);
    const bytes = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 37 && i + 2 < s.length) {
        const hi = hexValue(s.charCodeAt(i + 1));
        const lo = hexValue(s.charCodeAt(i + 2));
        if (hi >= 0 && lo >= 0) {
          bytes.push(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      if (c === 43 && decodeSpaces) {
        bytes.push(32);
        continue;
      }
      if (c < 0x80) {
        bytes.push(c);
      } else {
        let end = i + 1;
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
          const n = s.charCodeAt(i + 1);
          if (n >= 0xdc00 && n <= 0xdfff) end = i + 2;
        }
        for (const b of Buffer.from(s.slice(i, end), "utf8")) bytes.push(b);
        i = end - 1;
      }
    }
    return Buffer.from(bytes);
  }

  function qsUnescape(s, decodeSpaces) {
    try {
      return decodeURIComponent(s);
    } catch (_) {
      return unescapeBuffer(s, decodeSpaces).toString();
    }
  }

  function qsEscape(str) {
    if (typeof str !== "string") {
      if (typeof str === "object") str = String(str);
      else str += "";
    }
    try {
      return encodeURIComponent(str);
    } catch (_) {
      const e = new URIError("URI malformed");
      e.code = "ERR_INVALID_URI";
      throw e;
    }
  }

  function stringifyPrimitive(v) {
    if (typeof v === "string") return v;
    if (typeof v === "number" && isFinite(v)) return "" + v;
    if (typeof v === "bigint") return "" + v;
    if (typeof v === "boolean") return v ? "true" : "false";
    return "";
  }

  function stringify(obj, sep, eq, options) {
    sep = sep || "&";
    eq = eq || "=";
    let encode = qsEscape;
    if (options && typeof options.encodeURIComponent === "function") encode = options.encodeURIComponent;
    if (obj === null || typeof obj !== "object") return "";
    const fields = [];
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      const ks = encode(stringifyPrimitive(k)) + eq;
      if (Array.isArray(v)) {
        for (const item of v) fields.push(ks + encode(stringifyPrimitive(item)));
      } else {
        fields.push(ks + encode(stringifyPrimitive(v)));
      }
    }
    return fields.join(sep);
  }

  function parse(qs, sep, eq, options) {
    const obj = Object.create(null);
    if (typeof qs !== "string" || qs.length === 0) return obj;
    sep = sep ? String(sep) : "&";
    eq = eq ? String(eq) : "=";
    let maxKeys = 1000;
    if (options && typeof options.maxKeys === "number") maxKeys = options.maxKeys;
    let decode = qsUnescape;
    if (options && typeof options.decodeURIComponent === "function") decode = options.decodeURIComponent;
    const decodeStr = (s) => {
      try {
        return decode(s);
      } catch (_) {
        return qsUnescape(s, true);
      }
    };
    let pieces = qs.split(sep);
    if (maxKeys > 0 && pieces.length > maxKeys) pieces = pieces.slice(0, maxKeys);
    for (const piece of pieces) {
      if (piece.length === 0) continue;
      const idx = piece.indexOf(eq);
      let k, v;
      if (idx >= 0) {
        k = piece.slice(0, idx);
        v = piece.slice(idx + eq.length);
      } else {
        k = piece;
        v = "";
      }
      k = decodeStr(k.replace(/\+/g, " "));
      v = decodeStr(v.replace(/\+/g, " "));
      if (k in obj) {
        const cur = obj[k];
        if (Array.isArray(cur)) cur.push(v);
        else obj[k] = [cur, v];
      } else {
        obj[k] = v;
      }
    }
    return obj;
  }

  exports.unescapeBuffer = unescapeBuffer;
  exports.unescape = qsUnescape;
  exports.escape = qsEscape;
  exports.stringify = stringify;
  exports.encode = stringify;
  exports.parse = parse;
  exports.decode = parse;
})
