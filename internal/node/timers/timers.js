(function (module) {
  'use strict'
  const names = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate']
  const exported = {}
  for (const name of names) {
    const fn = globalThis[name]
    exported[name] =
      typeof fn === 'function'
        ? fn
        : function () {
            throw new TypeError(`timers: ${name} is not supported by hogpipe`)
          }
  }

  function abortError(signal) {
    const err = new Error('The operation was aborted')
    err.name = 'AbortError'
    err.code = 'ABORT_ERR'
    if (signal && signal.reason !== undefined) err.cause = signal.reason
    return err
  }

  // The promise forms take (delay, value, {signal}); ref is meaningless in
  // a plugin runtime and ignored.
  function promised(schedule, clear) {
    return function (delay, value, options) {
      const signal = options && options.signal
      if (signal && signal.aborted) return Promise.reject(abortError(signal))
      return new Promise((resolve, reject) => {
        const id = schedule(() => {
          if (signal) signal.removeEventListener('abort', onAbort)
          resolve(value)
        }, delay)
        function onAbort() {
          clear(id)
          reject(abortError(signal))
        }
        if (signal) signal.addEventListener('abort', onAbort, { once: true })
      })
    }
  }

  exported.promises = {
    setTimeout: promised((fn, d) => exported.setTimeout(fn, d), (id) => exported.clearTimeout(id)),
    setImmediate: (value, options) => promised((fn) => exported.setImmediate(fn), (id) => exported.clearImmediate(id))(0, value, options),
    setInterval() {
      throw new TypeError('timers/promises: setInterval is not supported by hogpipe')
    },
    scheduler: {
      wait: (delay, options) => exported.promises.setTimeout(delay, undefined, options),
    },
  }
  module.exports = exported
})
