(function (module) {
  'use strict'

  class AssertionError extends Error {
    constructor(options) {
      super(options.message)
      this.name = 'AssertionError'
      this.code = 'ERR_ASSERTION'
      this.actual = options.actual
      this.expected = options.expected
      this.operator = options.operator
      this.generatedMessage = !options.userMessage
    }
  }

  function show(v) {
    if (typeof v === 'string') return `'${v}'`
    if (typeof v === 'bigint') return `${v}n`
    if (typeof v === 'object' && v !== null) {
      try {
        return JSON.stringify(v)
      } catch (e) {
        return String(v)
      }
    }
    return String(v)
  }

  function fail(actual, expected, message, operator, generated) {
    if (message instanceof Error) throw message
    throw new AssertionError({
      actual,
      expected,
      operator,
      message: message === undefined ? generated : message,
      userMessage: message !== undefined,
    })
  }

  function isDeepEqual(a, b, strict, seen) {
    if (strict ? Object.is(a, b) : a == b || (a !== a && b !== b)) return true
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
    if (a instanceof RegExp && b instanceof RegExp) return String(a) === String(b)
    if (Array.isArray(a) !== Array.isArray(b)) return false
    seen = seen || []
    for (const [x, y] of seen) if (x === a && y === b) return true
    seen.push([a, b])
    if (a instanceof Map && b instanceof Map) {
      if (a.size !== b.size) return false
      for (const [k, v] of a) if (!b.has(k) || !isDeepEqual(v, b.get(k), strict, seen)) return false
      return true
    }
    if (a instanceof Set && b instanceof Set) {
      if (a.size !== b.size) return false
      for (const v of a) if (!b.has(v)) return false
      return true
    }
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    if (ka.length !== kb.length) return false
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !isDeepEqual(a[k], b[k], strict, seen)) return false
    }
    return true
  }

  function matches(err, expected) {
    if (expected === undefined) return true
    if (expected instanceof RegExp) return expected.test(String(err))
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && err instanceof expected) return true
      if (Error.isPrototypeOf(expected) || expected === Error) return false
      return expected.call({}, err) === true
    }
    if (typeof expected === 'object' && expected !== null) {
      return Object.keys(expected).every((k) =>
        expected[k] instanceof RegExp && typeof err[k] === 'string' ? expected[k].test(err[k]) : isDeepEqual(err[k], expected[k], true),
      )
    }
    return true
  }

  // wrongClass fails when expected is an Error class err is not of.
  function wrongClass(err, expected, message, operator) {
    if (typeof expected !== 'function' || !(expected === Error || Error.isPrototypeOf(expected)) || err instanceof expected) return
    const got = err && err.constructor ? err.constructor.name : typeof err
    fail(err, expected, message, operator, `The error is expected to be an instance of "${expected.name}". Received "${got}"\n\nError message:\n\n${err && err.message}`)
  }

  function ok(value, message) {
    if (!value) fail(value, true, message, '==', 'The expression evaluated to a falsy value')
  }

  const assert = function (value, message) {
    if (arguments.length === 0) fail(undefined, true, 'No value argument passed to `assert.ok()`', '==')
    ok(value, message)
  }
  assert.ok = function (value, message) {
    if (arguments.length === 0) fail(undefined, true, 'No value argument passed to `assert.ok()`', '==')
    ok(value, message)
  }
  assert.AssertionError = AssertionError
  assert.fail = function (message) {
    fail(undefined, undefined, message === undefined ? 'Failed' : message, 'fail')
  }
  assert.equal = (a, b, m) => {
    if (!(a == b || (a !== a && b !== b))) fail(a, b, m, '==', `${show(a)} == ${show(b)}`)
  }
  assert.notEqual = (a, b, m) => {
    if (a == b || (a !== a && b !== b)) fail(a, b, m, '!=', `${show(a)} != ${show(b)}`)
  }
  assert.strictEqual = (a, b, m) => {
    if (!Object.is(a, b)) fail(a, b, m, 'strictEqual', `Expected values to be strictly equal:\n\n${show(a)} !== ${show(b)}\n`)
  }
  assert.notStrictEqual = (a, b, m) => {
    if (Object.is(a, b)) fail(a, b, m, 'notStrictEqual', `Expected "actual" to be strictly unequal to: ${show(b)}`)
  }
  assert.deepEqual = (a, b, m) => {
    if (!isDeepEqual(a, b, false)) fail(a, b, m, 'deepEqual', `Expected values to be loosely deep-equal:\n\n${show(a)}\n\nshould loosely deep-equal\n\n${show(b)}`)
  }
  assert.notDeepEqual = (a, b, m) => {
    if (isDeepEqual(a, b, false)) fail(a, b, m, 'notDeepEqual', `"actual" deepEqual "expected"`)
  }
  assert.deepStrictEqual = (a, b, m) => {
    if (!isDeepEqual(a, b, true)) fail(a, b, m, 'deepStrictEqual', `Expected values to be strictly deep-equal:\n${show(a)} !== ${show(b)}`)
  }
  assert.notDeepStrictEqual = (a, b, m) => {
    if (isDeepEqual(a, b, true)) fail(a, b, m, 'notDeepStrictEqual', `Expected "actual" not to be strictly deep-equal to: ${show(b)}`)
  }
  assert.match = (s, re, m) => {
    if (typeof s !== 'string' || !re.test(s)) fail(s, re, m, 'match', `The input did not match the regular expression ${re}. Input:\n\n${show(s)}\n`)
  }
  assert.doesNotMatch = (s, re, m) => {
    if (typeof s === 'string' && re.test(s)) fail(s, re, m, 'doesNotMatch', `The input was expected to not match the regular expression ${re}. Input:\n\n${show(s)}\n`)
  }
  assert.ifError = (v) => {
    if (v !== null && v !== undefined) {
      if (v instanceof Error) throw v
      fail(v, null, undefined, 'ifError', `ifError got unwanted exception: ${show(v)}`)
    }
  }
  assert.throws = (fn, expected, message) => {
    if (typeof expected === 'string') {
      message = expected
      expected = undefined
    }
    let thrown = false
    let err
    try {
      fn()
    } catch (e) {
      thrown = true
      err = e
    }
    if (!thrown) fail(undefined, expected, message, 'throws', 'Missing expected exception' + (message ? `: ${message}` : '.'))
    wrongClass(err, expected, message, 'throws')
    if (!matches(err, expected)) throw err
  }
  assert.doesNotThrow = (fn, expected, message) => {
    try {
      fn()
    } catch (e) {
      fail(e, expected, typeof expected === 'string' ? expected : message, 'doesNotThrow', `Got unwanted exception.\nActual message: "${e && e.message}"`)
    }
  }
  assert.rejects = async (p, expected, message) => {
    if (typeof expected === 'string') {
      message = expected
      expected = undefined
    }
    let rejected = false
    let err
    try {
      await (typeof p === 'function' ? p() : p)
    } catch (e) {
      rejected = true
      err = e
    }
    if (!rejected) fail(undefined, expected, message, 'rejects', 'Missing expected rejection' + (message ? `: ${message}` : '.'))
    wrongClass(err, expected, message, 'rejects')
    if (!matches(err, expected)) throw err
  }
  assert.doesNotReject = async (p, expected, message) => {
    try {
      await (typeof p === 'function' ? p() : p)
    } catch (e) {
      fail(e, expected, typeof expected === 'string' ? expected : message, 'doesNotReject', `Got unwanted rejection.\nActual message: "${e && e.message}"`)
    }
  }
  assert.strict = assert
  module.exports = assert
})
