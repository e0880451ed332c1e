// What bundled SDKs read of process: a Node check, NODE_ENV both as the
// literal esbuild replaces and through a variable it cannot see, ticks
// ordered around promise jobs, hrtime, and a warning.
async function processEvent(event) {
  const env = process.env
  const order = []
  await new Promise((resolve) => {
    process.nextTick(() => order.push('tick'))
    Promise.resolve().then(() => order.push('promise'))
    order.push('sync')
    setTimeout(resolve, 0)
  })
  const start = process.hrtime.bigint()
  process.emitWarning('old api', 'DeprecationWarning', 'DEP_X')
  event.properties.process = {
    isNode: typeof process !== 'undefined' && process.versions != null && process.versions.node != null,
    nodeEnvLiteral: process.env.NODE_ENV,
    nodeEnvDynamic: env['NODE' + '_ENV'],
    hostEnv: Object.keys(env).length,
    order: order.join(' '),
    hrtime: process.hrtime().length,
    bigint: typeof start,
    stdout: typeof process.stdout,
  }
  return event
}
module.exports = { processEvent }
