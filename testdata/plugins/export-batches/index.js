// An exporter in the style of the 2021-2022 export plugins: a batch goes to
// the "destination" (here meta.cache, list "batches") or the call throws. The
// first failTimes attempts fail (RetryError, as a 5xx answer would, or a plain
// Error); a batch holding an event with properties.poison always asks for a
// retry, so its retries run out. onEvent records event names (list "onevent")
// and keeps asking to retry events with properties.onEventRetry.
class DestinationUnavailable extends RetryError {}

async function exportEvents(events, { cache, config }) {
    if (events.some((e) => e.properties.poison)) {
        throw new DestinationUnavailable('destination rejected a poisoned batch (503)')
    }
    const attempt = await cache.incr('export-attempts')
    if (attempt <= parseInt(config.failTimes)) {
        if (config.failWith === 'error') {
            throw new Error('destination answered 400')
        }
        throw new RetryError('destination answered 503')
    }
    await cache.lpush('batches', JSON.stringify(events))
}

async function onEvent(event, { cache }) {
    if (event.properties.onEventRetry) {
        throw new RetryError('onEvent is never ready for this one')
    }
    await cache.lpush('onevent', event.event)
    if (event.event === 'capture me') {
        await posthog.capture('captured from an output')
    }
}

async function teardownPlugin({ cache }) {
    // What was exported when teardown ran: the last batch must be in.
    await cache.set('teardown', await cache.llen('batches'))
}

module.exports = { exportEvents, onEvent, teardownPlugin }
