// onEvent only, ESM style. Event names choose what happens:
//   boom          throws an Error (logged, message acked)
//   flaky         asks for a retry on its first attempt (a subclass of the scaffold's RetryError)
//   always-retry  asks for a retry every time (the message fails)
//   hang          never returns (a timeout counts as a retry)
// Every successful call appends the event to meta.cache list "seen".
import { RetryError } from '@posthog/plugin-scaffold'

class NotYet extends RetryError {}

export async function onEvent(event, { cache }) {
    switch (event.event) {
        case 'boom':
            throw new Error('boom')
        case 'flaky':
            if ((await cache.incr('flaky-' + event.uuid)) < 2) {
                throw new NotYet('not yet')
            }
            break
        case 'always-retry':
            throw new RetryError('never ready')
        case 'hang':
            while (true) {}
    }
    await cache.lpush('seen', JSON.stringify(event))
}
