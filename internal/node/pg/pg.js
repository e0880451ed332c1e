(function (module, exports, require, host) {
  'use strict'
  const EventEmitter = require('events').EventEmitter

  function unsupported(what) {
    return function () {
      throw new TypeError(`pg: ${what} is not supported by hogpipe`)
    }
  }

  function toError(fields) {
    const err = new Error(fields.message)
    for (const k of Object.keys(fields)) {
      if (k !== 'message') err[k] = fields[k]
    }
    return err
  }

  function withCallback(promise, cb) {
    if (typeof cb !== 'function') return promise
    promise.then((v) => cb(null, v), (e) => cb(e))
    return undefined
  }

  // Connection settings as node-postgres reads them: a string is a
  // connection string; ssl true or an object turns TLS on, verifying the
  // server unless rejectUnauthorized is false.
  function connectionOptions(config) {
    if (typeof config === 'string') config = { connectionString: config }
    config = config || {}
    const out = { connectionString: config.connectionString ? String(config.connectionString) : '' }
    for (const k of ['host', 'user', 'password', 'database', 'port']) {
      if (config[k] !== undefined && config[k] !== null && config[k] !== '') out[k] = String(config[k])
    }
    const ssl = config.ssl
    if (ssl === undefined || ssl === null) out.ssl = 'default'
    else if (ssl === false) out.ssl = 'off'
    else out.ssl = typeof ssl === 'object' && ssl.rejectUnauthorized === false ? 'noverify' : 'verify'
    return out
  }

  function pad(n, width) {
    return String(n).padStart(width || 2, '0')
  }

  // A Date goes as local time with its offset, as node-postgres sends it.
  function dateToString(d) {
    let offset = -d.getTimezoneOffset()
    const sign = offset < 0 ? '-' : '+'
    offset = Math.abs(offset)
    return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${sign}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`
  }

  function arrayString(arr) {
    const parts = arr.map((v) => {
      if (v === null || v === undefined) return 'NULL'
      if (Array.isArray(v)) return arrayString(v)
      if (v instanceof Uint8Array) return '"\\\\x' + Buffer.from(v).toString('hex') + '"'
      return '"' + String(prepareValue(v)).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"'
    })
    return '{' + parts.join(',') + '}'
  }

  function prepareValue(v, seen) {
    if (v === null || v === undefined) return null
    if (v instanceof Uint8Array) return v
    if (v instanceof Date) return dateToString(v)
    if (Array.isArray(v)) return arrayString(v)
    if (typeof v === 'object') {
      if (typeof v.toPostgres === 'function') {
        seen = seen || []
        if (seen.includes(v)) throw new Error('circular reference detected while preparing "' + v + '" for query')
        seen.push(v)
        return prepareValue(v.toPostgres(prepareValue), seen)
      }
      return JSON.stringify(v)
    }
    return String(v)
  }

  function parseTimestamp(s, local) {
    const m = /^(\d{4,})-(\d\d)-(\d\d)(?: (\d\d):(\d\d):(\d\d)(\.\d+)?)?(Z|[+-]\d\d(?::?\d\d)?(?::?\d\d)?)?( BC)?$/.exec(s)
    if (!m) return s === 'infinity' ? Infinity : s === '-infinity' ? -Infinity : null
    let year = parseInt(m[1], 10)
    if (m[9]) year = -(year - 1)
    const ms = m[7] ? Math.floor(parseFloat(m[7]) * 1000) : 0
    const parts = [year, parseInt(m[2], 10) - 1, parseInt(m[3], 10), parseInt(m[4] || '0', 10), parseInt(m[5] || '0', 10), parseInt(m[6] || '0', 10), ms]
    if (!m[8] && local) {
      const d = new Date(...parts)
      if (year < 100) d.setFullYear(year)
      return d
    }
    let offset = 0
    if (m[8] && m[8] !== 'Z') {
      const t = m[8].slice(1).replace(/:/g, '')
      offset = (parseInt(t.slice(0, 2), 10) * 3600 + parseInt(t.slice(2, 4) || '0', 10) * 60 + parseInt(t.slice(4, 6) || '0', 10)) * 1000
      if (m[8][0] === '-') offset = -offset
    }
    return new Date(Date.UTC(...parts) - offset)
  }

  // The text parsers of node-postgres (pg-types) for the common types;
  // any other type stays a string, as there.
  const parsers = {
    16: (s) => s === 't' || s === 'true',
    17: (s) => (s.startsWith('\\x') ? Buffer.from(s.slice(2), 'hex') : Buffer.from(s)),
    21: (s) => parseInt(s, 10),
    23: (s) => parseInt(s, 10),
    26: (s) => parseInt(s, 10),
    700: parseFloat,
    701: parseFloat,
    114: JSON.parse,
    3802: JSON.parse,
    1082: (s) => parseTimestamp(s, true),
    1114: (s) => parseTimestamp(s, true),
    1184: (s) => parseTimestamp(s, false),
  }
  const custom = {}
  const types = {
    getTypeParser(oid, format) {
      if (format === 'binary') return (s) => s
      return custom[oid] || parsers[oid] || String
    },
    setTypeParser(oid, format, fn) {
      if (typeof format === 'function') fn = format
      else if (format === 'binary') throw new TypeError('pg: types.setTypeParser for the binary format is not supported by hogpipe')
      custom[oid] = fn
    },
    builtins: { BOOL: 16, BYTEA: 17, INT8: 20, INT2: 21, INT4: 23, TEXT: 25, OID: 26, JSON: 114, FLOAT4: 700, FLOAT8: 701, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184, NUMERIC: 1700, UUID: 2950, JSONB: 3802 },
  }

  class Result {
    constructor(raw, rowMode) {
      this.command = raw.command
      this.rowCount = raw.rowCount
      this.oid = null
      this.fields = raw.fields
      this.rowAsArray = rowMode === 'array'
      const parse = raw.fields.map((f) => types.getTypeParser(f.dataTypeID, 'text'))
      this.rows = raw.rows.map((cells) => {
        if (this.rowAsArray) return cells.map((c, i) => (c === null ? null : parse[i](c)))
        const row = {}
        cells.forEach((c, i) => {
          row[raw.fields[i].name] = c === null ? null : parse[i](c)
        })
        return row
      })
    }
  }

  function call(fn, ...args) {
    return new Promise((resolve, reject) => fn(...args, (err, v) => (err ? reject(toError(err)) : resolve(v))))
  }

  function escapeIdentifier(str) {
    return '"' + String(str).replace(/"/g, '""') + '"'
  }

  function escapeLiteral(str) {
    str = String(str)
    let hasBackslash = false
    let escaped = "'"
    for (const c of str) {
      if (c === "'") escaped += "''"
      else if (c === '\\') {
        escaped += '\\\\'
        hasBackslash = true
      } else escaped += c
    }
    escaped += "'"
    return hasBackslash ? ' E' + escaped : escaped
  }

  class Client extends EventEmitter {
    constructor(config) {
      super()
      const opts = connectionOptions(config)
      this._options = opts
      this.host = opts.host
      this.port = opts.port === undefined ? undefined : Number(opts.port)
      this.user = opts.user
      this.database = opts.database
      this.ssl = opts.ssl !== 'off' && opts.ssl !== 'default'
      this._id = null
      this._connecting = null
      this._ending = null
      this._queue = Promise.resolve()
    }

    connect(cb) {
      if (this._connecting) {
        return withCallback(Promise.reject(new Error('Client has already been connected. You cannot reuse a client.')), cb)
      }
      this._connecting = call(host.connect, this._options).then((id) => {
        this._id = id
      })
      this._connecting.catch(() => {})
      return withCallback(this._connecting, cb)
    }

    query(config, values, cb) {
      let text = config
      let rowMode
      if (typeof values === 'function') {
        cb = values
        values = undefined
      }
      if (config !== null && typeof config === 'object') {
        if (typeof config.submit === 'function') {
          throw new TypeError('pg: Client.query with a Submittable (pg-cursor, pg-query-stream) is not supported by hogpipe')
        }
        text = config.text
        rowMode = config.rowMode
        if (config.values !== undefined) values = config.values
        if (typeof config.callback === 'function' && !cb) cb = config.callback
      }
      if (typeof text !== 'string') {
        const err = new TypeError('Client was passed a null or undefined query')
        if (typeof cb === 'function') {
          Promise.resolve().then(() => cb(err))
          return undefined
        }
        return Promise.reject(err)
      }
      let prepared
      try {
        prepared = values === undefined || values === null ? null : Array.from(values, (v) => prepareValue(v))
      } catch (err) {
        return withCallback(Promise.reject(err), cb)
      }
      const run = () => {
        if (!this._connecting) throw new Error('Client was not connected: call connect() first')
        if (this._ending) throw new Error('Client was closed and is not queryable')
        return this._connecting.then(() => call(host.query, this._id, text, prepared)).then((raw) => new Result(raw, rowMode))
      }
      const p = this._queue.then(run, run)
      this._queue = p.catch(() => {})
      return withCallback(p, cb)
    }

    end(cb) {
      if (!this._ending) {
        this._ending = this._queue
          .then(() => (this._connecting ? this._connecting.catch(() => {}) : undefined))
          .then(() => (this._id === null ? undefined : call(host.end, this._id)))
          .then(() => {
            this.emit('end')
          })
      }
      return withCallback(this._ending, cb)
    }

    escapeIdentifier(str) {
      return escapeIdentifier(str)
    }

    escapeLiteral(str) {
      return escapeLiteral(str)
    }

    getTypeParser(oid, format) {
      return types.getTypeParser(oid, format)
    }

    setTypeParser(oid, format, fn) {
      return types.setTypeParser(oid, format, fn)
    }

    ref() {}

    unref() {}
  }
  Client.prototype.cancel = unsupported('Client.cancel')
  Client.prototype.copyFrom = unsupported('Client.copyFrom')
  Client.prototype.copyTo = unsupported('Client.copyTo')

  // Pool lends at most max clients (10 by default) and queues the rest of
  // the callers. Idle clients stay open until end() or the runtime goes.
  class Pool extends EventEmitter {
    constructor(options) {
      super()
      this.options = Object.assign({ max: 10 }, options)
      this._clients = []
      this._idle = []
      this._waiting = []
      this.ended = false
    }

    get totalCount() {
      return this._clients.length
    }

    get idleCount() {
      return this._idle.length
    }

    get waitingCount() {
      return this._waiting.length
    }

    _acquire() {
      if (this.ended) return Promise.reject(new Error('Cannot use a pool after calling end on the pool'))
      if (this._idle.length > 0) return Promise.resolve(this._idle.pop())
      if (this._clients.length < this.options.max) {
        const client = new Client(this.options)
        this._clients.push(client)
        let released = false
        client.release = (err) => {
          if (released) throw new Error('Release called on client which has already been released to the pool.')
          released = true
          this._release(client, err)
        }
        client._lend = () => {
          released = false
        }
        return client.connect().then(
          () => {
            this.emit('connect', client)
            return client
          },
          (err) => {
            this._remove(client)
            throw err
          },
        )
      }
      return new Promise((resolve, reject) => this._waiting.push({ resolve, reject }))
    }

    _remove(client) {
      this._clients = this._clients.filter((c) => c !== client)
      this._idle = this._idle.filter((c) => c !== client)
      client.end().catch(() => {})
      this.emit('remove', client)
      const next = this._waiting.shift()
      if (next) this._acquire().then(next.resolve, next.reject)
    }

    _release(client, err) {
      if (err || this.ended) return this._remove(client)
      const next = this._waiting.shift()
      if (next) {
        client._lend()
        return next.resolve(client)
      }
      this._idle.push(client)
    }

    connect(cb) {
      const p = this._acquire().then((client) => {
        client._lend()
        this.emit('acquire', client)
        return client
      })
      if (typeof cb !== 'function') return p
      p.then((client) => cb(null, client, client.release), (err) => cb(err, undefined, () => {}))
      return undefined
    }

    query(text, values, cb) {
      if (typeof values === 'function') {
        cb = values
        values = undefined
      }
      const p = this.connect().then((client) =>
        client.query(text, values).then(
          (res) => {
            client.release()
            return res
          },
          (err) => {
            client.release(err)
            throw err
          },
        ),
      )
      return withCallback(p, cb)
    }

    end(cb) {
      if (this.ended) return withCallback(Promise.reject(new Error('Called end on pool more than once')), cb)
      this.ended = true
      for (const w of this._waiting.splice(0)) w.reject(new Error('Cannot use a pool after calling end on the pool'))
      const idle = this._idle.splice(0)
      this._clients = this._clients.filter((c) => !idle.includes(c))
      return withCallback(Promise.all(idle.map((c) => c.end().catch(() => {}))).then(() => {
        this.emit('end')
      }), cb)
    }
  }

  class Query {
    constructor() {
      throw new TypeError('pg: Query is not supported by hogpipe; call client.query(text, values)')
    }
  }

  module.exports = {
    Client,
    Pool,
    Query,
    types,
    escapeIdentifier,
    escapeLiteral,
    defaults: { host: 'localhost', port: 5432, max: 10 },
    native: null,
    DatabaseError: Error,
  }
  module.exports.default = module.exports
})
