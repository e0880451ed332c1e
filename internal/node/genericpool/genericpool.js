(function (module, exports, require) {
  'use strict'
  const EventEmitter = require('events').EventEmitter

  function unsupported(method) {
    return function () {
      throw new TypeError(`generic-pool: ${method} is not supported by hogpipe`)
    }
  }

  class TimeoutError extends Error {
    constructor(message) {
      super(message)
      this.name = 'TimeoutError'
    }
  }

  // Pool lends up to max resources made by factory.create, keeping at
  // least min of them; callers beyond max wait in priority order.
  class Pool extends EventEmitter {
    constructor(factory, options) {
      super()
      if (!factory || typeof factory.create !== 'function' || typeof factory.destroy !== 'function') {
        throw new TypeError('factory.create and factory.destroy must be functions')
      }
      options = options || {}
      this._factory = factory
      this.max = Math.max(parseInt(options.max, 10) || 1, 1)
      this.min = Math.min(Math.max(parseInt(options.min, 10) || 0, 0), this.max)
      this._testOnBorrow = Boolean(options.testOnBorrow) && typeof factory.validate === 'function'
      this._acquireTimeout = options.acquireTimeoutMillis > 0 ? options.acquireTimeoutMillis : 0
      this._priorityRange = options.priorityRange > 0 ? options.priorityRange : 1
      this._maxWaiting = options.maxWaitingClients > 0 ? options.maxWaitingClients : Infinity
      this._available = []
      this._borrowed = new Set()
      this._all = new Set()
      this._creating = 0
      this._waiting = []
      this._draining = false
      this._started = false
      if (options.autostart !== false) this.start()
    }

    get size() {
      return this._all.size + this._creating
    }
    get available() {
      return this._available.length
    }
    get borrowed() {
      return this._borrowed.size
    }
    get pending() {
      return this._waiting.length
    }
    get spareResourceCapacity() {
      return this.max - this.size
    }

    start() {
      if (this._started) return
      this._started = true
      while (this.size < this.min) this._create()
    }

    ready() {
      return new Promise((resolve) => {
        const check = () => (this._creating === 0 ? resolve() : setTimeout(check, 1))
        check()
      })
    }

    _create() {
      this._creating++
      Promise.resolve()
        .then(() => this._factory.create())
        .then(
          (resource) => {
            this._creating--
            this._all.add(resource)
            this._available.push(resource)
            this._dispense()
          },
          (err) => {
            this._creating--
            this.emit('factoryCreateError', err)
            const w = this._waiting.shift()
            if (w) w.reject(err)
            this._dispense()
          },
        )
    }

    _dispense() {
      while (this._waiting.length > 0 && this._available.length > 0) {
        const resource = this._available.shift()
        const w = this._waiting.shift()
        this._lend(resource, w)
      }
      const short = this._waiting.length - this._creating
      for (let i = 0; i < short && this.size < this.max; i++) this._create()
    }

    _lend(resource, w) {
      const give = () => {
        if (w.timer) clearTimeout(w.timer)
        this._borrowed.add(resource)
        w.resolve(resource)
      }
      if (!this._testOnBorrow) return give()
      Promise.resolve(this._factory.validate(resource)).then((ok) => {
        if (ok) return give()
        this._destroy(resource)
        this._waiting.unshift(w)
        this._dispense()
      })
    }

    acquire(priority) {
      if (this._draining) return Promise.reject(new Error('pool is draining and cannot accept work'))
      if (this._waiting.length >= this._maxWaiting) return Promise.reject(new Error('max waitingClients count exceeded'))
      this.start()
      return new Promise((resolve, reject) => {
        const w = { resolve, reject, priority: Math.min(Math.max(priority | 0, 0), this._priorityRange - 1) }
        if (this._acquireTimeout) {
          w.timer = setTimeout(() => {
            this._waiting = this._waiting.filter((x) => x !== w)
            reject(new TimeoutError('ResourceRequest timed out'))
          }, this._acquireTimeout)
        }
        let i = this._waiting.length
        while (i > 0 && this._waiting[i - 1].priority > w.priority) i--
        this._waiting.splice(i, 0, w)
        this._dispense()
      })
    }

    isBorrowedResource(resource) {
      return this._borrowed.has(resource)
    }

    release(resource) {
      if (!this._borrowed.has(resource)) return Promise.reject(new Error('Resource not currently part of this pool'))
      this._borrowed.delete(resource)
      this._available.push(resource)
      this._dispense()
      return Promise.resolve()
    }

    destroy(resource) {
      if (!this._borrowed.has(resource)) return Promise.reject(new Error('Resource not currently part of this pool'))
      this._borrowed.delete(resource)
      const p = this._destroy(resource)
      while (!this._draining && this.size < this.min) this._create()
      this._dispense()
      return p
    }

    _destroy(resource) {
      this._all.delete(resource)
      return Promise.resolve()
        .then(() => this._factory.destroy(resource))
        .catch((err) => {
          this.emit('factoryDestroyError', err)
        })
    }

    use(fn, priority) {
      return this.acquire(priority).then((resource) =>
        Promise.resolve()
          .then(() => fn(resource))
          .then(
            (result) => {
              this.release(resource)
              return result
            },
            (err) => {
              this.destroy(resource)
              throw err
            },
          ),
      )
    }

    drain() {
      this._draining = true
      return new Promise((resolve) => {
        const check = () => (this._waiting.length === 0 && this._borrowed.size === 0 ? resolve() : setTimeout(check, 10))
        check()
      })
    }

    clear() {
      const idle = this._available.splice(0)
      return Promise.all(idle.map((r) => this._destroy(r))).then(() => undefined)
    }
  }
  Pool.prototype.evict = unsupported('Pool.evict')

  function createPool(factory, options) {
    return new Pool(factory, options)
  }

  module.exports = { Pool, createPool, TimeoutError }
})
