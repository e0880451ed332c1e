(function (global, host) {
  "use strict";
  const slot = Symbol("DateTimeFormat");
  const localeTag = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;
  const receiver = (v) => (v !== null && (typeof v === "object" || typeof v === "function")) ? "#<" + ((v.constructor && v.constructor.name) || "Object") + ">" : String(v);

  function checkLocales(locales) {
    if (locales === undefined) return;
    const list = typeof locales === "string" ? [locales] : Array.isArray(locales) ? locales : Object(locales);
    if (typeof locales !== "string" && !Array.isArray(locales) && (locales === null || typeof locales !== "object")) {
      if (locales === null) throw new TypeError("Cannot convert undefined or null to object");
      return;
    }
    for (const l of Array.from(list)) {
      if (typeof l !== "string" && (typeof l !== "object" || l === null)) throw new TypeError("Language ID should be string or object.");
      if (!localeTag.test(String(l))) throw new RangeError("Incorrect locale information provided");
    }
  }

  function localeList(locales) {
    checkLocales(locales);
    if (locales === undefined) return [];
    if (typeof locales === "string") return [locales];
    return Array.from(Object(locales), String);
  }

  // Formats made without options are kept per locale list: plugins call
  // toLocaleString in loops, and resolving options is the costly part.
  function cached(cache, key, make) {
    let f = cache.get(key);
    if (f === undefined) {
      if (cache.size >= 64) cache.clear();
      f = make();
      cache.set(key, f);
    }
    return f;
  }

  function supportedLocalesOf(locales) {
    return host.supportedLocalesOf(localeList(locales));
  }

  function toOptions(options) {
    if (options === undefined) return {};
    if (options === null) throw new TypeError("Cannot convert undefined or null to object");
    return Object(options);
  }

  const dateFields = ["weekday", "year", "month", "day"];
  const timeFields = ["dayPeriod", "hour", "minute", "second", "fractionalSecondDigits"];
  const numeric = (o, names) => {
    for (const k of names) Object.defineProperty(o, k, { value: "numeric", writable: true, enumerable: true, configurable: true });
  };
  // toDateTimeOptions is V8's ToDateTimeOptions: an object inheriting from
  // options, with default fields when none of those required are given.
  // The Date methods apply it with their own arguments, then the
  // constructor again with ("any", "date"), as V8 does.
  function toDateTimeOptions(options, required, defaults) {
    const o = Object.create(options);
    let need = true;
    if (required !== "time") for (const k of dateFields) if (o[k] !== undefined) need = false;
    if (required !== "date") for (const k of timeFields) if (o[k] !== undefined) need = false;
    const dateStyle = o.dateStyle, timeStyle = o.timeStyle;
    if (dateStyle !== undefined || timeStyle !== undefined) need = false;
    if (required === "date" && timeStyle !== undefined) throw new TypeError("Invalid option : timeStyle");
    if (required === "time" && dateStyle !== undefined) throw new TypeError("Invalid option : dateStyle");
    if (need && defaults !== "time") numeric(o, ["year", "month", "day"]);
    if (need && defaults !== "date") numeric(o, ["hour", "minute", "second"]);
    return o;
  }

  function DateTimeFormat(locales, options) {
    if (!new.target) return new DateTimeFormat(locales, options);
    const list = localeList(locales);
    const handle = host.resolve(list, toDateTimeOptions(toOptions(options), "any", "date"), "Intl.DateTimeFormat");
    Object.defineProperty(this, slot, { value: { handle, bound: undefined } });
  }

  function internal(dtf, method) {
    const s = dtf !== null && typeof dtf === "object" ? dtf[slot] : undefined;
    if (s === undefined) throw new TypeError("Method Intl.DateTimeFormat.prototype." + method + " called on incompatible receiver " + receiver(dtf));
    return s;
  }

  function timeValue(date) {
    const ms = date === undefined ? Date.now() : Number(date);
    if (!isFinite(ms) || Math.abs(ms) > 8.64e15) throw new RangeError("Invalid time value");
    return ms;
  }

  Object.defineProperty(DateTimeFormat.prototype, "format", {
    configurable: true,
    get() {
      const s = internal(this, "format");
      if (s.bound === undefined) {
        s.bound = (date) => host.format(s.handle, timeValue(date));
      }
      return s.bound;
    },
  });
  const methods = {
    formatToParts(date) {
      return host.formatToParts(internal(this, "formatToParts").handle, timeValue(date));
    },
    resolvedOptions() {
      return host.resolved(internal(this, "resolvedOptions").handle);
    },
    formatRange(start, end) {
      const s = internal(this, "formatRange");
      const text = (d) => host.formatToParts(s.handle, timeValue(d)).map((p) => p.value).join("");
      return text(start) + "\u2009\u2013\u2009" + text(end);
    },
  };
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(DateTimeFormat.prototype, name, { value: fn, writable: true, configurable: true });
  }
  Object.defineProperty(DateTimeFormat.prototype, Symbol.toStringTag, { value: "Intl.DateTimeFormat", configurable: true });
  Object.defineProperty(DateTimeFormat, "supportedLocalesOf", {
    value: supportedLocalesOf,
    writable: true, configurable: true,
  });

  const getTime = Date.prototype.getTime;
  const dateFormats = new Map();
  const dateMethods = {
    toLocaleString: ["any", "all"],
    toLocaleDateString: ["date", "date"],
    toLocaleTimeString: ["time", "time"],
  };
  for (const [name, [required, defaults]] of Object.entries(dateMethods)) {
    const fn = {
      [name](locales, options) {
        if (!(this instanceof Date)) throw new TypeError("Method Date.prototype." + name + " called on incompatible receiver " + receiver(this));
        const ms = getTime.call(this);
        const list = localeList(locales);
        const resolve = () => host.resolve(list, toDateTimeOptions(toDateTimeOptions(toOptions(options), required, defaults), "any", "date"), "Date.prototype." + name);
        const handle = options === undefined ? cached(dateFormats, name + "\0" + list.join("\0"), resolve) : resolve();
        if (Number.isNaN(ms)) return "Invalid Date";
        return host.format(handle, ms);
      },
    }[name];
    Object.defineProperty(Date.prototype, name, { value: fn, writable: true, configurable: true });
  }

  // Intl.NumberFormat, and Number.prototype.toLocaleString and
  // BigInt.prototype.toLocaleString on top of it (goja's own treat the
  // locale as a radix).
  const numberSlot = Symbol("NumberFormat");
  function numberOptions(options, caller) {
    if (options === undefined) return {};
    if (options === null) throw new TypeError(caller + " called on null or undefined");
    return Object(options);
  }
  const isObject = (v) => v !== null && (typeof v === "object" || typeof v === "function");
  function toPrimitiveNumber(o) {
    const exotic = o[Symbol.toPrimitive];
    if (exotic !== undefined && exotic !== null) {
      const r = exotic.call(o, "number");
      if (!isObject(r)) return r;
    } else {
      for (const name of ["valueOf", "toString"]) {
        const fn = o[name];
        if (typeof fn === "function") {
          const r = fn.call(o);
          if (!isObject(r)) return r;
        }
      }
    }
    throw new TypeError("Cannot convert object to primitive value");
  }
  const decimalLiteral = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  // mathValue is ToIntlMathematicalValue: a number, a decimal string, or a
  // BigInt's digits followed by "n" (host.numberFormat formats both exactly).
  function mathValue(x) {
    const p = isObject(x) ? toPrimitiveNumber(x) : x;
    if (typeof p === "bigint") return String(p) + "n";
    if (typeof p === "string") {
      const s = p.trim();
      return decimalLiteral.test(s) ? s : Number(s);
    }
    return Number(p);
  }

  function NumberFormat(locales, options) {
    if (!new.target) return new NumberFormat(locales, options);
    const handle = host.numberResolve(localeList(locales), numberOptions(options, "Intl.NumberFormat"), "Intl.NumberFormat");
    Object.defineProperty(this, numberSlot, { value: { handle, bound: undefined } });
  }
  function numberInternal(nf, method) {
    const s = nf !== null && typeof nf === "object" ? nf[numberSlot] : undefined;
    if (s === undefined) throw new TypeError("Method " + method + " called on incompatible receiver " + receiver(nf));
    return s;
  }
  Object.defineProperty(NumberFormat.prototype, "format", {
    configurable: true,
    get() {
      const s = numberInternal(this, "UnwrapNumberFormat");
      if (s.bound === undefined) {
        s.bound = (x) => host.numberFormat(s.handle, mathValue(x));
      }
      return s.bound;
    },
  });
  const numberMethods = {
    formatToParts(x) {
      return host.numberFormatToParts(numberInternal(this, "Intl.NumberFormat.prototype.formatToParts").handle, mathValue(x));
    },
    resolvedOptions() {
      return host.numberResolved(numberInternal(this, "Intl.NumberFormat.prototype.resolvedOptions").handle);
    },
  };
  for (const [name, fn] of Object.entries(numberMethods)) {
    Object.defineProperty(NumberFormat.prototype, name, { value: fn, writable: true, configurable: true });
  }
  Object.defineProperty(NumberFormat, "length", { value: 0, configurable: true }); // as V8's
  Object.defineProperty(NumberFormat.prototype, Symbol.toStringTag, { value: "Intl.NumberFormat", configurable: true });
  Object.defineProperty(NumberFormat, "supportedLocalesOf", {
    value: supportedLocalesOf, writable: true, configurable: true,
  });

  const numberFormats = new Map();
  function localeNumberFormat(locales, options, caller) {
    const list = localeList(locales);
    if (options !== undefined) return host.numberResolve(list, numberOptions(options, caller), caller);
    return cached(numberFormats, list.join("\0"), () => host.numberResolve(list, {}, caller));
  }

  // Intl.PluralRules: select rounds with the digit options first.
  const pluralSlot = Symbol("PluralRules");
  function PluralRules(locales, options) {
    if (!new.target) throw new TypeError("Constructor Intl.PluralRules requires 'new'");
    const handle = host.pluralResolve(localeList(locales), toOptions(options));
    Object.defineProperty(this, pluralSlot, { value: handle });
  }
  function pluralInternal(pr, method) {
    const h = pr !== null && typeof pr === "object" ? pr[pluralSlot] : undefined;
    if (h === undefined) throw new TypeError("Method Intl.PluralRules.prototype." + method + " called on incompatible receiver " + receiver(pr));
    return h;
  }
  const pluralMethods = {
    select(n) {
      return host.pluralSelect(pluralInternal(this, "select"), Number(n));
    },
    resolvedOptions() {
      return host.pluralResolved(pluralInternal(this, "resolvedOptions"));
    },
  };
  for (const [name, fn] of Object.entries(pluralMethods)) {
    Object.defineProperty(PluralRules.prototype, name, { value: fn, writable: true, configurable: true });
  }
  Object.defineProperty(PluralRules, "length", { value: 0, configurable: true });
  Object.defineProperty(PluralRules.prototype, Symbol.toStringTag, { value: "Intl.PluralRules", configurable: true });
  Object.defineProperty(PluralRules, "supportedLocalesOf", { value: supportedLocalesOf, writable: true, configurable: true });
  const numberValue = Number.prototype.valueOf;
  const numberToLocaleString = {
    toLocaleString(locales, options) {
      let x;
      try { x = numberValue.call(this); } catch (e) { throw new TypeError("Number.prototype.toLocaleString requires that 'this' be a Number"); }
      return host.numberFormat(localeNumberFormat(locales, options, "Number.prototype.toLocaleString"), x);
    },
  }.toLocaleString;
  Object.defineProperty(numberToLocaleString, "length", { value: 0, configurable: true });
  Object.defineProperty(Number.prototype, "toLocaleString", { value: numberToLocaleString, writable: true, configurable: true });
  if (typeof BigInt === "function") {
    const bigintValue = BigInt.prototype.valueOf;
    const fn = {
      toLocaleString(locales, options) {
        let x;
        try { x = bigintValue.call(this); } catch (e) { throw new TypeError("BigInt.prototype.toLocaleString requires that 'this' be a BigInt"); }
        return host.numberFormat(localeNumberFormat(locales, options, "BigInt.prototype.toLocaleString"), String(x) + "n");
      },
    }.toLocaleString;
    Object.defineProperty(fn, "length", { value: 0, configurable: true });
    Object.defineProperty(BigInt.prototype, "toLocaleString", { value: fn, writable: true, configurable: true });
  }

  // String.prototype.localeCompare with the requested locale's collation.
  const localeCompare = {
    localeCompare(that, locales, options) {
      if (this === null || this === undefined) throw new TypeError("String.prototype.localeCompare called on null or undefined");
      const s = String(this), t = String(that);
      if (options === undefined && (locales === undefined || (typeof locales === "string" && locales !== ""))) {
        return host.compareIn(locales === undefined ? "" : locales, s, t);
      }
      return host.compare(localeList(locales), toOptions(options), s, t);
    },
  }.localeCompare;
  Object.defineProperty(localeCompare, "length", { value: 1, configurable: true });
  Object.defineProperty(String.prototype, "localeCompare", { value: localeCompare, writable: true, configurable: true });

  // Date.prototype.toString and toTimeString: JavaScript's local time is
  // UTC in hogpipe, which V8 names "Coordinated Universal Time" (goja prints
  // the Go zone abbreviation). toDateString and toUTCString are goja's.
  const utc = {};
  for (const name of ["FullYear", "Month", "Date", "Day", "Hours", "Minutes", "Seconds"]) {
    utc[name] = Date.prototype["getUTC" + name];
  }
  const weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n, width) => String(n).padStart(width, "0");
  function dateValue(date, name) {
    try {
      return getTime.call(date);
    } catch (e) {
      throw new TypeError("Method Date.prototype." + name + " called on incompatible receiver " + receiver(date));
    }
  }
  const timeOfDay = (date) => pad(utc.Hours.call(date), 2) + ":" + pad(utc.Minutes.call(date), 2) + ":" +
    pad(utc.Seconds.call(date), 2) + " GMT+0000 (Coordinated Universal Time)";
  const dateStrings = {
    toString() {
      if (Number.isNaN(dateValue(this, "toString"))) return "Invalid Date";
      const year = utc.FullYear.call(this);
      return weekdayNames[utc.Day.call(this)] + " " + monthNames[utc.Month.call(this)] + " " + pad(utc.Date.call(this), 2) + " " +
        (year < 0 ? "-" + pad(-year, 4) : pad(year, 4)) + " " + timeOfDay(this);
    },
    toTimeString() {
      if (Number.isNaN(dateValue(this, "toTimeString"))) return "Invalid Date";
      return timeOfDay(this);
    },
  };
  for (const [name, fn] of Object.entries(dateStrings)) {
    Object.defineProperty(Date.prototype, name, { value: fn, writable: true, configurable: true });
  }
  if (!Object.prototype.hasOwnProperty.call(Date.prototype, "toGMTString")) {
    // Annex B: the same function as toUTCString.
    Object.defineProperty(Date.prototype, "toGMTString", { value: Date.prototype.toUTCString, writable: true, configurable: true });
  }

  const intl = global.Intl || {};
  Object.defineProperty(intl, "DateTimeFormat", { value: DateTimeFormat, writable: true, configurable: true });
  Object.defineProperty(intl, "NumberFormat", { value: NumberFormat, writable: true, configurable: true });
  Object.defineProperty(intl, "PluralRules", { value: PluralRules, writable: true, configurable: true });
  Object.defineProperty(intl, "getCanonicalLocales", {
    value: function getCanonicalLocales(locales) {
      return [...new Set(localeList(locales).map(host.canonicalLocale))];
    },
    writable: true, configurable: true,
  });
  if (!global.Intl) {
    Object.defineProperty(intl, Symbol.toStringTag, { value: "Intl", configurable: true });
    Object.defineProperty(global, "Intl", { value: intl, writable: true, configurable: true });
  }
})
