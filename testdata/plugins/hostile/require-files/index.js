// A computed name keeps esbuild from bundling the import, so each require
// below reaches the VM's require at run time.
function attempt(name) {
  const load = require
  try {
    const value = load(name)
    return { loaded: true, value: typeof value === 'object' ? JSON.stringify(value) : String(value) }
  } catch (e) {
    return { loaded: false, code: e.code, message: String(e.message) }
  }
}

export function processEvent(event) {
  const results = {}
  for (const name of event.properties.targets) {
    results[name] = attempt(name)
  }
  results.ranHostFile = globalThis.__hostFileRan === true
  results.nodePrefixIsHost = require('node:buffer').Buffer === Buffer
  event.properties.result = results
  return event
}
