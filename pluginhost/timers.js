(function (global, host) {
  "use strict";
  const STATE = Symbol("timer");
  const TIMEOUT_MAX = 2147483647;
  function describe(value) {
    if (value === null) return "null";
    if (typeof value === "object") return "an instance of " + ((value.constructor && value.constructor.name) || "Object");
    if (typeof value === "string") return "type string ('" + value + "')";
    return "type " + typeof value + " (" + String(value) + ")";
  }
  function checkCallback(callback) {
    if (typeof callback !== "function") {
      const err = new TypeError('The "callback" argument must be of type function. Received ' + describe(callback));
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
  }
  function msecs(after) {
    after = Number(after);
    return after >= 1 && after <= TIMEOUT_MAX ? after : 1;
  }
  class Timeout {
    constructor(callback, after, args, repeat) {
      const state = { id: 0, callback, after: msecs(after), args, repeat, refed: true, cleared: false };
      state.id = host.schedule(0, callback, state.after, args, repeat);
      Object.defineProperty(this, STATE, { value: state });
    }
    ref() { this[STATE].refed = true; return this; }
    unref() { this[STATE].refed = false; return this; }
    hasRef() { return this[STATE].refed; }
    refresh() {
      const s = this[STATE];
      if (!s.cleared) host.schedule(s.id, s.callback, s.after, s.args, s.repeat);
      return this;
    }
    close() { clearTimeout(this); return this; }
    [Symbol.toPrimitive]() { return this[STATE].id; }
  }
  class Immediate {
    constructor(callback, args) {
      Object.defineProperty(this, STATE, { value: { id: host.immediate(callback, args), refed: true } });
    }
    ref() { this[STATE].refed = true; return this; }
    unref() { this[STATE].refed = false; return this; }
    hasRef() { return this[STATE].refed; }
  }
  function setTimeout(callback, after, ...args) {
    checkCallback(callback);
    return new Timeout(callback, after, args, false);
  }
  function setInterval(callback, repeat, ...args) {
    checkCallback(callback);
    return new Timeout(callback, repeat, args, true);
  }
  function setImmediate(callback, ...args) {
    checkCallback(callback);
    return new Immediate(callback, args);
  }
  function clearTimeout(timer) {
    if (timer instanceof Timeout) {
      timer[STATE].cleared = true;
      host.clear(timer[STATE].id, false);
    } else if (typeof timer === "number" || typeof timer === "string") {
      host.clear(Number(timer), false);
    }
  }
  function clearImmediate(immediate) {
    if (immediate instanceof Immediate) host.clear(immediate[STATE].id, true);
  }
  const api = { setTimeout, setInterval, setImmediate, clearTimeout, clearInterval: clearTimeout, clearImmediate };
  for (const [name, value] of Object.entries(api)) {
    Object.defineProperty(global, name, { value, writable: true, configurable: true });
  }
})
