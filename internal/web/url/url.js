(function (global, host) {
  "use strict";
  const HREF = 0, ORIGIN = 1, PROTOCOL = 2, USERNAME = 3, PASSWORD = 4, HOST = 5,
    HOSTNAME = 6, PORT = 7, PATHNAME = 8, SEARCH = 9, HASH = 10;
  // str is ToString, which throws for symbols as template literals do;
  // usv also makes lone surrogates U+FFFD.
  const str = (value) => `${value}`;
  const usv = (value) => host.usv(str(value));

  // Node's errors: a code, and String(error) naming it.
  function codeError(Ctor, code, message) {
    const e = new Ctor(message);
    e.code = code;
    Object.defineProperty(e, "toString", {
      value() { return this.name + " [" + code + "]: " + this.message; },
      writable: true, configurable: true,
    });
    return e;
  }
  function invalidURL(input, base) {
    const e = new TypeError("Invalid URL");
    e.code = "ERR_INVALID_URL";
    e.input = input;
    if (base !== undefined) e.base = base;
    return e;
  }
  function missingArgs(...names) {
    const list = names.map((n) => '"' + n + '"');
    const msg = list.length === 1 ? "The " + list[0] + " argument" : "The " + list.join(" and ") + " arguments";
    return codeError(TypeError, "ERR_MISSING_ARGS", msg + " must be specified");
  }
  function invalidThis(type) {
    return codeError(TypeError, "ERR_INVALID_THIS", 'Value of "this" must be of type ' + type);
  }
  function invalidTuple() {
    return codeError(TypeError, "ERR_INVALID_TUPLE", "Each query pair must be an iterable [name, value] tuple");
  }
  function invalidArgType(name, expected, value, instance = false) {
    const received = value === null ? "Received null" : value === undefined ? "Received undefined" :
      typeof value === "object" ? "Received an instance of " + ((value.constructor && value.constructor.name) || "Object") :
      "Received type " + typeof value + " (" + String(value) + ")";
    return codeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "' + name + '" argument must be ' + (instance ? "an instance of " : "of type ") + expected + ". " + received);
  }
  const inspectCustom = Symbol.for("nodejs.util.inspect.custom");
  const isObject = (o) => (typeof o === "object" && o !== null) || typeof o === "function";

  let setURLQuery; // (url, serialized query) => void, from URL
  let newLinkedParams; // (url, query or null) => URLSearchParams, from URLSearchParams
  let resetParams; // (params, query or null) => void, from URLSearchParams
  let paramsList; // (params) => its list, for iterators

  class URL {
    #rec;
    #params = null;

    constructor(input, base = undefined) {
      if (arguments.length === 0) throw missingArgs("url");
      input = str(input);
      if (base !== undefined) base = str(base);
      const rec = host.parse(input, base);
      if (rec === null) throw invalidURL(input, base);
      this.#rec = rec;
    }

    static parse(input, base = undefined) {
      if (arguments.length === 0) throw missingArgs("url");
      input = str(input);
      if (base !== undefined) base = str(base);
      return host.canParse(input, base) ? new URL(input, base) : null;
    }

    static canParse(input, base = undefined) {
      if (arguments.length === 0) throw missingArgs("url");
      input = str(input);
      if (base !== undefined) base = str(base);
      return host.canParse(input, base);
    }

    // There is no Blob store: no object is a Blob, as far as URL knows.
    static createObjectURL(obj) {
      throw invalidArgType("obj", "Blob", obj, true);
    }

    static revokeObjectURL(url) {
      if (arguments.length === 0) throw missingArgs("url");
    }

    static #of(url) {
      if (!isObject(url) || !(#rec in url)) throw new TypeError("Receiver must be an instance of class URL");
      return url.#rec;
    }

    #refreshParams() {
      if (this.#params !== null) resetParams(this.#params, host.query(this.#rec));
    }

    toString() { return host.get(URL.#of(this), HREF); }

    get href() { return host.get(URL.#of(this), HREF); }
    set href(value) {
      const rec = URL.#of(this);
      value = str(value);
      if (!host.set(rec, HREF, value)) throw invalidURL(value);
      this.#refreshParams();
    }
    get origin() { return host.get(URL.#of(this), ORIGIN); }
    get protocol() { return host.get(URL.#of(this), PROTOCOL); }
    set protocol(value) { host.set(URL.#of(this), PROTOCOL, str(value)); }
    get username() { return host.get(URL.#of(this), USERNAME); }
    set username(value) { host.set(URL.#of(this), USERNAME, str(value)); }
    get password() { return host.get(URL.#of(this), PASSWORD); }
    set password(value) { host.set(URL.#of(this), PASSWORD, str(value)); }
    get host() { return host.get(URL.#of(this), HOST); }
    set host(value) { host.set(URL.#of(this), HOST, str(value)); }
    get hostname() { return host.get(URL.#of(this), HOSTNAME); }
    set hostname(value) { host.set(URL.#of(this), HOSTNAME, str(value)); }
    get port() { return host.get(URL.#of(this), PORT); }
    set port(value) { host.set(URL.#of(this), PORT, str(value)); }
    get pathname() { return host.get(URL.#of(this), PATHNAME); }
    set pathname(value) { host.set(URL.#of(this), PATHNAME, str(value)); }
    get search() { return host.get(URL.#of(this), SEARCH); }
    set search(value) {
      host.set(URL.#of(this), SEARCH, str(value));
      this.#refreshParams();
    }
    get searchParams() {
      const rec = URL.#of(this);
      if (this.#params === null) this.#params = newLinkedParams(this, host.query(rec));
      return this.#params;
    }
    get hash() { return host.get(URL.#of(this), HASH); }
    set hash(value) { host.set(URL.#of(this), HASH, str(value)); }
    toJSON() { return host.get(URL.#of(this), HREF); }

    // util.inspect shows the components, as Node does.
    [inspectCustom](depth, opts, inspect) {
      if (typeof depth === "number" && depth < 0) return this;
      const obj = {};
      for (const key of ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "searchParams", "hash"]) {
        obj[key] = this[key];
      }
      return this.constructor.name + " " + inspect(obj, opts);
    }

    static {
      setURLQuery = (url, query) => host.setQuery(url.#rec, query);
    }
  }

  class URLSearchParams {
    #list = []; // [name, value] pairs of well-formed strings
    #url = null; // the URL whose searchParams this is

    constructor(init = undefined) {
      if (init === undefined || init === null) return;
      if (!isObject(init)) {
        let s = usv(init);
        if (s[0] === "?") s = s.slice(1);
        this.#list = host.parseForm(s);
        return;
      }
      const method = init[Symbol.iterator];
      if (method === this[Symbol.iterator] && #list in init) {
        this.#list = init.#list.map((p) => [p[0], p[1]]);
      } else if (method != null) {
        if (typeof method !== "function") throw codeError(TypeError, "ERR_ARG_NOT_ITERABLE", "Query pairs must be iterable");
        const pairs = [];
        for (const pair of init) {
          if (!isObject(pair) || typeof pair[Symbol.iterator] !== "function") throw invalidTuple();
          pairs.push(Array.from(pair));
        }
        for (let i = 0; i < pairs.length; i++) {
          if (pairs[i].length !== 2) throw invalidTuple();
          this.#list.push([usv(pairs[i][0]), usv(pairs[i][1])]);
        }
      } else {
        // A record: a key repeated after conversion keeps its first place
        // and its last value.
        const index = new Map();
        const keys = Reflect.ownKeys(init);
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i];
          const desc = Reflect.getOwnPropertyDescriptor(init, key);
          if (desc === undefined || !desc.enumerable) continue;
          const name = usv(key);
          const value = usv(init[key]);
          if (index.has(name)) this.#list[index.get(name)][1] = value;
          else index.set(name, this.#list.push([name, value]) - 1);
        }
      }
    }

    static #of(params) {
      if (!isObject(params) || !(#list in params)) throw invalidThis("URLSearchParams");
      return params;
    }

    #update() {
      if (this.#url !== null) setURLQuery(this.#url, host.serializeForm(this.#list));
    }

    get size() { return URLSearchParams.#of(this).#list.length; }
    append(name, value) {
      URLSearchParams.#of(this);
      if (arguments.length < 2) throw missingArgs("name", "value");
      this.#list.push([usv(name), usv(value)]);
      this.#update();
    }
    delete(name, value = undefined) {
      URLSearchParams.#of(this);
      if (arguments.length < 1) throw missingArgs("name");
      name = usv(name);
      if (value === undefined) {
        this.#list = this.#list.filter((p) => p[0] !== name);
      } else {
        value = usv(value);
        this.#list = this.#list.filter((p) => p[0] !== name || p[1] !== value);
      }
      this.#update();
    }
    get(name) {
      URLSearchParams.#of(this);
      if (arguments.length < 1) throw missingArgs("name");
      name = usv(name);
      const list = this.#list;
      for (let i = 0; i < list.length; i++) if (list[i][0] === name) return list[i][1];
      return null;
    }
    getAll(name) {
      URLSearchParams.#of(this);
      if (arguments.length < 1) throw missingArgs("name");
      name = usv(name);
      return this.#list.filter((p) => p[0] === name).map((p) => p[1]);
    }
    has(name, value = undefined) {
      URLSearchParams.#of(this);
      if (arguments.length < 1) throw missingArgs("name");
      name = usv(name);
      if (value === undefined) return this.#list.some((p) => p[0] === name);
      value = usv(value);
      return this.#list.some((p) => p[0] === name && p[1] === value);
    }
    set(name, value) {
      URLSearchParams.#of(this);
      if (arguments.length < 2) throw missingArgs("name", "value");
      name = usv(name);
      value = usv(value);
      const list = [];
      let found = false;
      for (let i = 0; i < this.#list.length; i++) {
        const p = this.#list[i];
        if (p[0] !== name) list.push(p);
        else if (!found) {
          found = true;
          list.push([name, value]);
        }
      }
      if (!found) list.push([name, value]);
      this.#list = list;
      this.#update();
    }
    sort() {
      URLSearchParams.#of(this);
      // Array.prototype.sort is stable; < compares UTF-16 code units.
      this.#list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.#update();
    }
    entries() { return new ParamsIterator(URLSearchParams.#of(this), 2); }
    forEach(callback, thisArg = undefined) {
      URLSearchParams.#of(this);
      if (typeof callback !== "function") throw invalidArgType("callback", "function", callback);
      for (let i = 0; i < this.#list.length; i++) {
        const p = this.#list[i];
        callback.call(thisArg, p[1], p[0], this);
      }
    }
    keys() { return new ParamsIterator(URLSearchParams.#of(this), 0); }
    values() { return new ParamsIterator(URLSearchParams.#of(this), 1); }
    toString() { return host.serializeForm(URLSearchParams.#of(this).#list); }

    [inspectCustom](depth, opts, inspect) {
      const list = URLSearchParams.#of(this).#list;
      if (typeof depth === "number" && depth < 0) return "[Object]";
      const inner = Object.assign({}, opts);
      if (typeof depth === "number") inner.depth = depth - 1;
      const output = list.map((p) => inspect(p[0], inner) + " => " + inspect(p[1], inner));
      const length = output.reduce((n, s) => n + s.length + 2, -2);
      const name = this.constructor.name;
      if (length > ((opts && opts.breakLength) || 128)) return name + " {\n  " + output.join(",\n  ") + " }";
      return output.length ? name + " { " + output.join(", ") + " }" : name + " {}";
    }

    static {
      newLinkedParams = (url, query) => {
        const params = new URLSearchParams();
        params.#list = query === null ? [] : host.parseForm(query);
        params.#url = url;
        return params;
      };
      resetParams = (params, query) => {
        params.#list = query === null ? [] : host.parseForm(query);
      };
      paramsList = (params) => params.#list;
    }
  }

  // ParamsIterator walks the live list by index, as Node's does.
  class ParamsIterator {
    #params;
    #kind;
    #index = 0;
    constructor(params, kind) {
      this.#params = params;
      this.#kind = kind;
    }
    next() {
      if (!isObject(this) || !(#params in this)) throw invalidThis("URLSearchParamsIterator");
      const list = paramsList(this.#params);
      if (this.#index >= list.length) return { value: undefined, done: true };
      const p = list[this.#index++];
      return { value: this.#kind === 0 ? p[0] : this.#kind === 1 ? p[1] : [p[0], p[1]], done: false };
    }
  }
  Object.setPrototypeOf(ParamsIterator.prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
  Object.defineProperty(ParamsIterator.prototype, Symbol.toStringTag, { value: "URLSearchParams Iterator", configurable: true });
  Object.defineProperty(ParamsIterator.prototype, "next", { enumerable: true });

  // As in Node: members are enumerable, toStringTag names the class, and
  // the iterator is entries.
  for (const C of [URL, URLSearchParams]) {
    for (const key of Object.getOwnPropertyNames(C.prototype)) {
      if (key !== "constructor") Object.defineProperty(C.prototype, key, { enumerable: true });
    }
    Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
  }
  for (const key of ["parse", "canParse", "createObjectURL", "revokeObjectURL"]) {
    Object.defineProperty(URL, key, { enumerable: true });
  }
  Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
    value: URLSearchParams.prototype.entries, writable: true, configurable: true,
  });

  for (const [name, value] of Object.entries({ URL, URLSearchParams })) {
    Object.defineProperty(global, name, { value, writable: true, configurable: true });
  }
})
