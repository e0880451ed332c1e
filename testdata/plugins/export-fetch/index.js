// The usual shape of an export plugin: one request per batch; a 5xx answer
// (or a network error) asks for a retry, any other failure is final.
import { RetryError } from '@posthog/plugin-scaffold'

export async function exportEvents(events, { config }) {
    let res
    try {
        res = await fetch(config.url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ batch: events }),
        })
    } catch (err) {
        throw new RetryError(`network error: ${err.message}`)
    }
    if (res.status >= 500) {
        throw new RetryError(`destination answered ${res.status}`)
    }
    if (!res.ok) {
        throw new Error(`destination answered ${res.status}: ${await res.text()}`)
    }
}
