(function (module, exports, require, host) {
  "use strict";
  const slashedProtocol = new Set(["http", "http:", "https", "https:", "ftp", "ftp:", "gopher", "gopher:", "file", "file:", "ws", "ws:", "wss", "wss:"]);
  const hostlessProtocol = new Set(["javascript", "javascript:"]);
  const unsafeProtocol = new Set(["javascript", "javascript:"]);
  const protocolPattern = /^[a-z0-9.+-]+:/i;
  const portPattern = /:[0-9]*$/;
  const hostPattern = /^\/\/[^@/]+@[^@/]+/;
  const simplePathPattern = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/;
  const autoEscape = ["{", "}", "|", "\\", "^", "\u0060", "<", ">", '"', " ", "\r", "\n", "\t", "'"];
  const nonHostChars = ["%", "/", "?", ";", "#"].concat(autoEscape);
  const hostEndingChars = ["/", "?", "#"];
  let querystring;
  const qs = () => querystring || (querystring = require("querystring"));

  function invalidArgType(name, expected, value) {
    const received = value === null ? "Received null" : value === undefined ? "Received undefined" :
      typeof value === "object" ? "Received an instance of " + ((value.constructor && value.constructor.name) || "Object") :
      "Received type " + typeof value + " (" + String(value) + ")";
    const e = new TypeError('The "' + name + '" argument must be of type ' + expected + ". " + received);
    e.code = "ERR_INVALID_ARG_TYPE";
    return e;
  }

  function Url() {
    this.protocol = null;
    this.slashes = null;
    this.auth = null;
    this.host = null;
    this.port = null;
    this.hostname = null;
    this.hash = null;
    this.search = null;
    this.query = null;
    this.pathname = null;
    this.path = null;
    this.href = null;
  }

  function urlParse(url, parseQueryString, slashesDenoteHost) {
    if (url instanceof Url) return url;
    const u = new Url();
    u.parse(url, parseQueryString, slashesDenoteHost);
    return u;
  }

  Url.prototype.parse = function parse(url, parseQueryString, slashesDenoteHost) {
    if (typeof url !== "string") throw invalidArgType("url", "string", url);
    // Backslashes before the query become slashes; whitespace is trimmed.
    let rest = url.trim();
    const queryIndex = rest.search(/[?#]/);
    const head = queryIndex === -1 ? rest : rest.slice(0, queryIndex);
    rest = head.replace(/\\/g, "/") + (queryIndex === -1 ? "" : rest.slice(queryIndex));

    if (!slashesDenoteHost && url.split("#").length === 1) {
      const simple = simplePathPattern.exec(rest);
      if (simple) {
        this.path = rest;
        this.href = rest;
        this.pathname = simple[1];
        if (simple[2]) {
          this.search = simple[2];
          this.query = parseQueryString ? qs().parse(this.search.slice(1)) : this.search.slice(1);
        } else if (parseQueryString) {
          this.search = null;
          this.query = Object.create(null);
        }
        return this;
      }
    }

    let lowerProto;
    const proto = protocolPattern.exec(rest);
    if (proto) {
      lowerProto = proto[0].toLowerCase();
      this.protocol = lowerProto;
      rest = rest.slice(proto[0].length);
    }

    let slashes;
    if (slashesDenoteHost || proto || hostPattern.test(rest)) {
      slashes = rest.startsWith("//");
      if (slashes && !(proto && hostlessProtocol.has(lowerProto))) {
        rest = rest.slice(2);
        this.slashes = true;
      }
    }

    if (!hostlessProtocol.has(lowerProto) && (slashes || (proto && !slashedProtocol.has(lowerProto)))) {
      let hostEnd = -1;
      for (const c of hostEndingChars) {
        const i = rest.indexOf(c);
        if (i !== -1 && (hostEnd === -1 || i < hostEnd)) hostEnd = i;
      }
      const atSign = hostEnd === -1 ? rest.lastIndexOf("@") : rest.lastIndexOf("@", hostEnd);
      if (atSign !== -1) {
        this.auth = decodeURIComponent(rest.slice(0, atSign));
        rest = rest.slice(atSign + 1);
      }
      hostEnd = -1;
      for (const c of nonHostChars) {
        const i = rest.indexOf(c);
        if (i !== -1 && (hostEnd === -1 || i < hostEnd)) hostEnd = i;
      }
      if (hostEnd === -1) hostEnd = rest.length;
      this.host = rest.slice(0, hostEnd);
      rest = rest.slice(hostEnd);
      this.parseHost();
      if (typeof this.hostname !== "string") this.hostname = "";
      const hostname = this.hostname;
      const ipv6 = hostname[0] === "[" && hostname[hostname.length - 1] === "]";
      if (!ipv6) {
        // A host ends at the first character no host may contain; the
        // rest becomes part of the path (Node 17+).
        for (let i = 0; i < hostname.length; i++) {
          const c = hostname[i];
          if (c === "/" || c === "\\" || c === "#" || c === "?" || c === ":") {
            this.hostname = hostname.slice(0, i);
            rest = "/" + hostname.slice(i) + rest;
            break;
          }
        }
      }
      if (this.hostname.length > 255) this.hostname = "";
      else if (!ipv6) this.hostname = this.hostname.toLowerCase();
      if (!ipv6 && /[\0\t\n\r #%/:<>?@[\\\]^|]/.test(this.hostname)) {
        const e = new TypeError("Invalid URL");
        e.code = "ERR_INVALID_URL";
        e.input = url;
        throw e;
      }
      if (!ipv6 && this.hostname !== "" && /[^\x00-\x7f]/.test(this.hostname)) {
        this.hostname = exports.domainToASCII(this.hostname) || this.hostname;
      }
      const p = this.port ? ":" + this.port : "";
      this.host = this.hostname + p;
      if (ipv6) {
        this.hostname = this.hostname.slice(1, -1);
        if (rest[0] !== "/") rest = "/" + rest;
      }
    }

    if (!unsafeProtocol.has(lowerProto)) {
      let escaped = "";
      for (const ch of rest) {
        if (autoEscape.includes(ch)) {
          const enc = encodeURIComponent(ch);
          escaped += enc === ch ? escape(ch) : enc;
        } else {
          escaped += ch;
        }
      }
      rest = escaped;
    }

    const hash = rest.indexOf("#");
    if (hash !== -1) {
      this.hash = rest.slice(hash);
      rest = rest.slice(0, hash);
    }
    const qm = rest.indexOf("?");
    if (qm !== -1) {
      this.search = rest.slice(qm);
      this.query = rest.slice(qm + 1);
      if (parseQueryString) this.query = qs().parse(this.query);
      rest = rest.slice(0, qm);
    } else if (parseQueryString) {
      this.search = null;
      this.query = Object.create(null);
    }
    if (rest) this.pathname = rest;
    if (slashedProtocol.has(lowerProto) && this.hostname && !this.pathname) this.pathname = "/";
    if (this.pathname || this.search) this.path = (this.pathname || "") + (this.search || "");
    this.href = this.format();
    return this;
  };

  Url.prototype.parseHost = function parseHost() {
    let h = this.host;
    const port = portPattern.exec(h);
    if (port) {
      if (port[0] !== ":") this.port = port[0].slice(1);
      h = h.slice(0, h.length - port[0].length);
    }
    if (h) this.hostname = h;
  };

  Url.prototype.format = function format() {
    let auth = this.auth || "";
    if (auth) auth = encodeURIComponent(auth).replace(/%3A/gi, ":") + "@";
    let protocol = this.protocol || "";
    let pathname = this.pathname || "";
    let hash = this.hash || "";
    let host = "";
    let query = "";
    if (this.host) {
      host = auth + this.host;
    } else if (this.hostname) {
      host = auth + (this.hostname.includes(":") && this.hostname[0] !== "[" ? "[" + this.hostname + "]" : this.hostname);
      if (this.port) host += ":" + this.port;
    }
    if (this.query !== null && typeof this.query === "object") query = qs().stringify(this.query);
    let search = this.search || (query && "?" + query) || "";
    if (protocol && protocol[protocol.length - 1] !== ":") protocol += ":";
    pathname = pathname.replace(/[?#]/g, (c) => encodeURIComponent(c));
    if (this.slashes || slashedProtocol.has(protocol)) {
      if (this.slashes || host) {
        if (pathname && pathname[0] !== "/") pathname = "/" + pathname;
        host = "//" + host;
      } else if (protocol.length >= 4 && protocol === "file:") {
        host = "//";
      }
    }
    search = search.replace(/#/g, "%23");
    if (hash && hash[0] !== "#") hash = "#" + hash;
    if (search && search[0] !== "?") search = "?" + search;
    return protocol + host + pathname + search + hash;
  };

  Url.prototype.resolve = function resolve(relative) {
    return this.resolveObject(urlParse(relative, false, true)).format();
  };

  Url.prototype.resolveObject = function resolveObject(relative) {
    if (typeof relative === "string") {
      const rel = new Url();
      rel.parse(relative, false, true);
      relative = rel;
    }
    const result = new Url();
    for (const k of Object.keys(this)) result[k] = this[k];
    result.hash = relative.hash;
    if (relative.href === "") {
      result.href = result.format();
      return result;
    }
    if (relative.slashes && !relative.protocol) {
      for (const k of Object.keys(relative)) if (k !== "protocol") result[k] = relative[k];
      if (slashedProtocol.has(result.protocol) && result.hostname && !result.pathname) {
        result.path = result.pathname = "/";
      }
      result.href = result.format();
      return result;
    }
    if (relative.protocol && relative.protocol !== result.protocol) {
      if (!slashedProtocol.has(relative.protocol)) {
        for (const k of Object.keys(relative)) result[k] = relative[k];
        result.href = result.format();
        return result;
      }
      result.protocol = relative.protocol;
      if (!relative.host && !/^file:?$/.test(relative.protocol) && !hostlessProtocol.has(relative.protocol)) {
        const relPath = (relative.pathname || "").split("/");
        while (relPath.length && !(relative.host = relPath.shift()));
        if (!relative.host) relative.host = "";
        if (!relative.hostname) relative.hostname = "";
        if (relPath[0] !== "") relPath.unshift("");
        if (relPath.length < 2) relPath.unshift("");
        result.pathname = relPath.join("/");
      } else {
        result.pathname = relative.pathname;
      }
      result.search = relative.search;
      result.query = relative.query;
      result.host = relative.host || "";
      result.auth = relative.auth;
      result.hostname = relative.hostname || relative.host;
      result.port = relative.port;
      if (result.pathname || result.search) result.path = (result.pathname || "") + (result.search || "");
      result.slashes = result.slashes || relative.slashes;
      result.href = result.format();
      return result;
    }

    const isSourceAbs = result.pathname && result.pathname[0] === "/";
    const isRelAbs = relative.host || (relative.pathname && relative.pathname[0] === "/");
    let mustEndAbs = isRelAbs || isSourceAbs || (result.host && relative.pathname);
    const removeAllDots = mustEndAbs;
    let srcPath = (result.pathname && result.pathname.split("/")) || [];
    const relPath = (relative.pathname && relative.pathname.split("/")) || [];
    const noLeadingSlashes = result.protocol && !slashedProtocol.has(result.protocol);

    if (noLeadingSlashes) {
      result.hostname = "";
      result.port = null;
      if (result.host) {
        if (srcPath[0] === "") srcPath[0] = result.host;
        else srcPath.unshift(result.host);
      }
      result.host = "";
      if (relative.protocol) {
        relative.hostname = null;
        relative.port = null;
        if (relative.host) {
          if (relPath[0] === "") relPath[0] = relative.host;
          else relPath.unshift(relative.host);
        }
        relative.host = null;
      }
      mustEndAbs = mustEndAbs && (relPath[0] === "" || srcPath[0] === "");
    }

    const splitAuth = () => {
      const authInHost = result.host && result.host.indexOf("@") > 0 ? result.host.split("@") : false;
      if (authInHost) {
        result.auth = authInHost.shift();
        result.host = result.hostname = authInHost.shift();
      }
    };

    if (isRelAbs) {
      if (relative.host || relative.host === "") {
        if (result.host !== relative.host) result.auth = null;
        result.host = relative.host;
        result.port = relative.port;
      }
      if (relative.hostname || relative.hostname === "") {
        if (result.hostname !== relative.hostname) result.auth = null;
        result.hostname = relative.hostname;
      }
      result.search = relative.search;
      result.query = relative.query;
      srcPath = relPath;
    } else if (relPath.length) {
      srcPath.pop();
      srcPath = srcPath.concat(relPath);
      result.search = relative.search;
      result.query = relative.query;
    } else if (relative.search !== null && relative.search !== undefined) {
      if (noLeadingSlashes) {
        result.hostname = result.host = srcPath.shift();
        splitAuth();
      }
      result.search = relative.search;
      result.query = relative.query;
      if (result.pathname !== null || result.search !== null) {
        result.path = (result.pathname ? result.pathname : "") + (result.search ? result.search : "");
      }
      result.href = result.format();
      return result;
    }

    if (!srcPath.length) {
      result.pathname = null;
      result.path = result.search ? "/" + result.search : null;
      result.href = result.format();
      return result;
    }

    let last = srcPath[srcPath.length - 1];
    const hasTrailingSlash = ((result.host || relative.host || srcPath.length > 1) && (last === "." || last === "..")) || last === "";
    let up = 0;
    for (let i = srcPath.length - 1; i >= 0; i--) {
      last = srcPath[i];
      if (last === ".") {
        srcPath.splice(i, 1);
      } else if (last === "..") {
        srcPath.splice(i, 1);
        up++;
      } else if (up) {
        srcPath.splice(i, 1);
        up--;
      }
    }
    if (!mustEndAbs && !removeAllDots) {
      while (up--) srcPath.unshift("..");
    }
    if (mustEndAbs && srcPath[0] !== "" && (!srcPath[0] || srcPath[0][0] !== "/")) srcPath.unshift("");
    if (hasTrailingSlash && srcPath.join("/").slice(-1) !== "/") srcPath.push("");
    const isAbsolute = srcPath[0] === "" || (srcPath[0] && srcPath[0][0] === "/");
    if (noLeadingSlashes) {
      result.hostname = result.host = isAbsolute ? "" : srcPath.length ? srcPath.shift() : "";
      splitAuth();
    }
    mustEndAbs = mustEndAbs || (result.host && srcPath.length);
    if (mustEndAbs && !isAbsolute) srcPath.unshift("");
    if (srcPath.length > 0) {
      result.pathname = srcPath.join("/");
    } else {
      result.pathname = null;
      result.path = null;
    }
    if (result.pathname !== null || result.search !== null) {
      result.path = (result.pathname ? result.pathname : "") + (result.search ? result.search : "");
    }
    result.auth = relative.auth || result.auth;
    result.slashes = result.slashes || relative.slashes;
    result.href = result.format();
    return result;
  };

  function urlFormat(obj, options) {
    if (typeof obj === "string") {
      obj = urlParse(obj);
    } else if (typeof obj !== "object" || obj === null) {
      throw invalidArgType("urlObject", "object", obj);
    } else if (obj instanceof exports.URL) {
      const opts = Object.assign({ auth: true, fragment: true, search: true, unicode: false }, options);
      let out = obj.protocol;
      if (obj.host !== "" || obj.protocol === "file:") {
        out += "//";
        if (opts.auth && (obj.username || obj.password)) {
          out += obj.username + (obj.password ? ":" + obj.password : "") + "@";
        }
        out += opts.unicode ? exports.domainToUnicode(obj.hostname) + (obj.port ? ":" + obj.port : "") : obj.host;
      }
      out += obj.pathname;
      if (opts.search) out += obj.search;
      if (opts.fragment) out += obj.hash;
      return out;
    } else if (!(obj instanceof Url)) {
      return Url.prototype.format.call(obj);
    }
    return obj.format();
  }

  function fileURLToPath(path) {
    let u = path;
    if (typeof path === "string") u = new exports.URL(path);
    else if (!(path instanceof exports.URL)) throw invalidArgType("path", "string or an instance of URL", path);
    if (u.protocol !== "file:") {
      const e = new TypeError("The URL must be of scheme file");
      e.code = "ERR_INVALID_URL_SCHEME";
      throw e;
    }
    if (u.hostname !== "" && u.hostname !== "localhost") {
      const e = new TypeError('File URL host must be "localhost" or empty on linux');
      e.code = "ERR_INVALID_FILE_URL_HOST";
      throw e;
    }
    const pathname = u.pathname;
    if (/%2f/i.test(pathname)) {
      const e = new TypeError("File URL path must not include encoded / characters");
      e.code = "ERR_INVALID_FILE_URL_PATH";
      throw e;
    }
    return decodeURIComponent(pathname);
  }

  function pathToFileURL(filepath) {
    let resolved = String(filepath);
    if (resolved[0] !== "/") resolved = "/" + resolved;
    const encoded = resolved.replace(/%/g, "%25").replace(/\\/g, "%5C").replace(/\n/g, "%0A")
      .replace(/\r/g, "%0D").replace(/\t/g, "%09").replace(/#/g, "%23").replace(/\?/g, "%3F");
    return new exports.URL("file://" + encoded);
  }

  function urlToHttpOptions(url) {
    const options = {
      protocol: url.protocol,
      hostname: typeof url.hostname === "string" && url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
      hash: url.hash,
      search: url.search,
      pathname: url.pathname,
      path: (url.pathname || "") + (url.search || ""),
      href: url.href,
    };
    if (url.port !== "") options.port = Number(url.port);
    if (url.username || url.password) options.auth = decodeURIComponent(url.username) + ":" + decodeURIComponent(url.password);
    return options;
  }

  exports.Url = Url;
  exports.parse = urlParse;
  exports.resolve = (source, relative) => urlParse(source, false, true).resolve(relative);
  exports.resolveObject = (source, relative) => (source ? urlParse(source, false, true).resolveObject(relative) : relative);
  exports.format = urlFormat;
  exports.fileURLToPath = fileURLToPath;
  exports.pathToFileURL = pathToFileURL;
  exports.urlToHttpOptions = urlToHttpOptions;
})
