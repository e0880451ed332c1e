// Sends events to a posthog_capture input with the official posthog-node SDK,
// as hogpipe's Go tests run it: node node-capture.js <host> <api key>.
'use strict'
const { PostHog } = require('posthog-node')

async function main() {
  const [host, apiKey] = process.argv.slice(2)
  if (!host || !apiKey) {
    throw new Error('usage: node node-capture.js <host> <api key>')
  }
  const client = new PostHog(apiKey, { host, flushAt: 20, flushInterval: 0, fetchRetryCount: 0 })
  client.on('error', (err) => {
    console.error('posthog-node error:', err)
    process.exitCode = 1
  })
  client.capture({
    distinctId: 'node-user-1',
    event: 'order placed',
    // "10" is an integer-like key: JavaScript puts it first.
    properties: { zeta: 1, alpha: 'two', nested: { b: 1, a: 2 }, 10: 'ten' },
    timestamp: new Date('2024-05-06T07:08:09.123Z'),
  })
  client.capture({ distinctId: 'node-user-2', event: 'signed up', properties: { plan: 'pro' } })
  client.identify({ distinctId: 'node-user-1', properties: { email: 'user1@example.com', name: 'User One' } })
  await client.shutdown(10000)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
