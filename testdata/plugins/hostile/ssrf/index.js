export async function processEvent(event) {
  const results = {}
  await Promise.all(event.properties.targets.map(async (target) => {
    try {
      const res = await fetch(target, { timeout: 2000 })
      results[target] = { status: res.status }
    } catch (e) {
      results[target] = { code: e.code, message: String(e.message) }
    }
  }))
  event.properties.result = results
  return event
}
