(function (module, exports, require, host) {
  "use strict";
  const kCapture = Symbol("kCapture");
  const errorMonitor = Symbol("events.errorMonitor");

  function EventEmitter(opts) {
    EventEmitter.init.call(this, opts);
  }
  EventEmitter.prototype._events = undefined;
  EventEmitter.prototype._eventsCount = 0;
  EventEmitter.prototype._maxListeners = undefined;

  let defaultMaxListeners = 10;
  Object.defineProperty(EventEmitter, "defaultMaxListeners", {
    enumerable: true,
    get() { return defaultMaxListeners; },
    set(n) {
      if (typeof n !== "number" || n < 0 || Number.isNaN(n)) {
        throw rangeError("defaultMaxListeners", n);
      }
      defaultMaxListeners = n;
    },
  });

  EventEmitter.init = function (opts) {
    if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
      this._events = Object.create(null);
      this._eventsCount = 0;
    }
    this._maxListeners = this._maxListeners || undefined;
    if (opts && opts.captureRejections) this[kCapture] = true;
  };

  function rangeError(name, n) {
    const e = new RangeError('The value of "' + name + '" is out of range. It must be a non-negative number. Received ' + String(n));
    e.code = "ERR_OUT_OF_RANGE";
    return e;
  }

  function checkListener(listener) {
    if (typeof listener !== "function") {
      const e = new TypeError('The "listener" argument must be of type function. Received ' +
        (listener === null ? "null" : typeof listener === "object" ? "an instance of " + ((listener.constructor && listener.constructor.name) || "Object") : "type " + typeof listener + (listener === undefined ? "" : " (" + String(listener) + ")")));
      e.code = "ERR_INVALID_ARG_TYPE";
      throw e;
    }
  }

  function eventsOf(emitter) {
    if (emitter._events === undefined) {
      emitter._events = Object.create(null);
      emitter._eventsCount = 0;
    }
    return emitter._events;
  }

  EventEmitter.prototype.setMaxListeners = function setMaxListeners(n) {
    if (typeof n !== "number" || n < 0 || Number.isNaN(n)) throw rangeError("n", n);
    this._maxListeners = n;
    return this;
  };

  EventEmitter.prototype.getMaxListeners = function getMaxListeners() {
    return this._maxListeners === undefined ? defaultMaxListeners : this._maxListeners;
  };

  EventEmitter.prototype.emit = function emit(type, ...args) {
    const events = this._events;
    if (type === "error" && events !== undefined && events[errorMonitor] !== undefined) {
      this.emit(errorMonitor, ...args);
    }
    const handler = events === undefined ? undefined : events[type];
    if (handler === undefined) {
      if (type === "error") {
        const er = args[0];
        if (er instanceof Error) throw er;
        let shown;
        try { shown = require("util").inspect(er); } catch (_) { shown = String(er); }
        const err = new Error("Unhandled error. (" + shown + ")");
        err.code = "ERR_UNHANDLED_ERROR";
        err.context = er;
        throw err;
      }
      return false;
    }
    if (typeof handler === "function") {
      handler.apply(this, args);
    } else {
      const listeners = handler.slice();
      for (let i = 0; i < listeners.length; i++) listeners[i].apply(this, args);
    }
    return true;
  };

  function addListener(target, type, listener, prepend) {
    checkListener(listener);
    let events = eventsOf(target);
    if (events.newListener !== undefined) {
      target.emit("newListener", type, listener.listener ? listener.listener : listener);
      events = eventsOf(target);
    }
    const existing = events[type];
    if (existing === undefined) {
      events[type] = listener;
      target._eventsCount++;
    } else if (typeof existing === "function") {
      events[type] = prepend ? [listener, existing] : [existing, listener];
    } else if (prepend) {
      existing.unshift(listener);
    } else {
      existing.push(listener);
    }
    return target;
  }

  EventEmitter.prototype.addListener = function addListener_(type, listener) {
    return addListener(this, type, listener, false);
  };
  EventEmitter.prototype.on = EventEmitter.prototype.addListener;
  EventEmitter.prototype.prependListener = function prependListener(type, listener) {
    return addListener(this, type, listener, true);
  };

  function onceWrapper(target, type, listener) {
    const state = { fired: false };
    const wrapped = function (...args) {
      if (state.fired) return undefined;
      state.fired = true;
      target.removeListener(type, wrapped);
      return listener.apply(target, args);
    };
    wrapped.listener = listener;
    return wrapped;
  }

  EventEmitter.prototype.once = function once(type, listener) {
    checkListener(listener);
    return this.on(type, onceWrapper(this, type, listener));
  };
  EventEmitter.prototype.prependOnceListener = function prependOnceListener(type, listener) {
    checkListener(listener);
    return this.prependListener(type, onceWrapper(this, type, listener));
  };

  EventEmitter.prototype.removeListener = function removeListener(type, listener) {
    checkListener(listener);
    const events = this._events;
    if (events === undefined) return this;
    const list = events[type];
    if (list === undefined) return this;
    if (list === listener || list.listener === listener) {
      if (--this._eventsCount === 0) this._events = Object.create(null);
      else delete events[type];
      if (this._events.removeListener !== undefined) this.emit("removeListener", type, list.listener || listener);
    } else if (typeof list !== "function") {
      let position = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) { position = i; break; }
      }
      if (position < 0) return this;
      const removed = list[position];
      list.splice(position, 1);
      if (list.length === 1) events[type] = list[0];
      if (events.removeListener !== undefined) this.emit("removeListener", type, removed.listener || listener);
    }
    return this;
  };
  EventEmitter.prototype.off = EventEmitter.prototype.removeListener;

  EventEmitter.prototype.removeAllListeners = function removeAllListeners(type) {
    const events = this._events;
    if (events === undefined) return this;
    if (events.removeListener === undefined) {
      if (arguments.length === 0) {
        this._events = Object.create(null);
        this._eventsCount = 0;
      } else if (events[type] !== undefined) {
        if (--this._eventsCount === 0) this._events = Object.create(null);
        else delete events[type];
      }
      return this;
    }
    if (arguments.length === 0) {
      for (const key of Reflect.ownKeys(events)) {
        if (key !== "removeListener") this.removeAllListeners(key);
      }
      this.removeAllListeners("removeListener");
      this._events = Object.create(null);
      this._eventsCount = 0;
      return this;
    }
    const listeners = events[type];
    if (typeof listeners === "function") {
      this.removeListener(type, listeners);
    } else if (listeners !== undefined) {
      for (let i = listeners.length - 1; i >= 0; i--) this.removeListener(type, listeners[i]);
    }
    return this;
  };

  function listenersOf(target, type, unwrap) {
    const events = target._events;
    if (events === undefined) return [];
    const l = events[type];
    if (l === undefined) return [];
    if (typeof l === "function") return unwrap ? [l.listener || l] : [l];
    return unwrap ? l.map((f) => f.listener || f) : l.slice();
  }

  EventEmitter.prototype.listeners = function listeners(type) { return listenersOf(this, type, true); };
  EventEmitter.prototype.rawListeners = function rawListeners(type) { return listenersOf(this, type, false); };
  EventEmitter.prototype.listenerCount = function listenerCount(type, listener) {
    const all = listenersOf(this, type, true);
    return listener === undefined ? all.length : all.filter((f) => f === listener).length;
  };
  EventEmitter.prototype.eventNames = function eventNames() {
    return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
  };

  EventEmitter.listenerCount = (emitter, type) => emitter.listenerCount(type);
  EventEmitter.once = function once(emitter, name) {
    return new Promise((resolve, reject) => {
      const onError = (err) => { emitter.removeListener(name, onEvent); reject(err); };
      const onEvent = (...args) => {
        if (name !== "error") emitter.removeListener("error", onError);
        resolve(args);
      };
      emitter.once(name, onEvent);
      if (name !== "error") emitter.once("error", onError);
    });
  };
  EventEmitter.getEventListeners = (emitter, name) => emitter.listeners(name);
  EventEmitter.setMaxListeners = (n, ...targets) => {
    if (targets.length === 0) EventEmitter.defaultMaxListeners = n;
    for (const t of targets) t.setMaxListeners(n);
  };
  EventEmitter.errorMonitor = errorMonitor;
  EventEmitter.captureRejectionSymbol = Symbol.for("nodejs.rejection");
  EventEmitter.captureRejections = false;
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.usingDomains = false;
  module.exports = EventEmitter;
})
