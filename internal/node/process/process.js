(function (host) {
  'use strict'
  // host: nextTick, hrtime, hrtimeBigint, uptime, warn (Go); version, arch.
  function refused(name) {
    return function () {
      throw new TypeError(`process.${name} is not supported by hogpipe (a plugin does not control the host's process)`)
    }
  }

  // process is an event emitter in Node; libraries register 'exit' or
  // 'warning' listeners on it. Only 'warning' is ever emitted here.
  const listeners = new Map()
  function listenerList(name) {
    let list = listeners.get(name)
    if (!list) {
      list = []
      listeners.set(name, list)
    }
    return list
  }
  function checkListener(fn) {
    if (typeof fn !== 'function') {
      const e = new TypeError(`The "listener" argument must be of type function.${host.received(fn)}`)
      e.code = 'ERR_INVALID_ARG_TYPE'
      throw e
    }
  }

  const process = {
    title: 'node',
    version: 'v' + host.version,
    versions: { node: host.version },
    release: { name: 'node' },
    platform: 'linux',
    arch: host.arch,
    argv: ['node'],
    argv0: 'node',
    execArgv: [],
    execPath: 'node',
    // What the bundle already sees: esbuild replaces process.env.NODE_ENV
    // with "production" at build time. Nothing of the host's environment.
    env: { NODE_ENV: 'production' },
    exitCode: undefined,
    nextTick: host.nextTick,
    hrtime: host.hrtime,
    uptime: host.uptime,
    cwd: () => '/',
    emitWarning(warning, type, code) {
      if (typeof warning !== 'string' && !(warning instanceof Error)) {
        const e = new TypeError(`The "warning" argument must be of type string or an instance of Error.${host.received(warning)}`)
        e.code = 'ERR_INVALID_ARG_TYPE'
        throw e
      }
      if (type !== null && typeof type === 'object') {
        code = type.code
        type = type.type
      } else if (typeof type === 'function') {
        type = undefined
      }
      if (typeof warning === 'string') {
        const w = new Error(warning)
        w.name = typeof type === 'string' ? type : 'Warning'
        if (code !== undefined) w.code = code
        warning = w
      }
      host.warn((warning.code !== undefined ? `[${warning.code}] ` : '') + `${warning.name}: ${warning.message}`)
      process.nextTick(() => process.emit('warning', warning))
    },
    on(name, fn) {
      checkListener(fn)
      listenerList(name).push({ fn, once: false })
      return process
    },
    once(name, fn) {
      checkListener(fn)
      listenerList(name).push({ fn, once: true })
      return process
    },
    off(name, fn) {
      const list = listenerList(name)
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i].fn === fn) {
          list.splice(i, 1)
          break
        }
      }
      return process
    },
    removeAllListeners(name) {
      if (name === undefined) listeners.clear()
      else listeners.delete(name)
      return process
    },
    emit(name, ...args) {
      const list = listeners.get(name)
      if (!list || list.length === 0) return false
      for (const l of list.slice()) {
        if (l.once) process.off(name, l.fn)
        l.fn.apply(process, args)
      }
      return true
    },
    listeners: (name) => listenerList(name).map((l) => l.fn),
    listenerCount: (name) => listenerList(name).length,
  }
  process.addListener = process.on
  process.removeListener = process.off
  process.prependListener = (name, fn) => {
    checkListener(fn)
    listenerList(name).unshift({ fn, once: false })
    return process
  }
  for (const name of ['exit', 'reallyExit', 'abort', 'kill', 'chdir', 'umask', 'binding', 'dlopen', 'memoryUsage', 'cpuUsage', 'resourceUsage', 'setuid', 'setgid']) {
    process[name] = refused(name)
  }
  return process
})
