export function setupPlugin() {
    posthog.capture('from setup')
}

export async function processEvent(event) {
    await posthog.capture('derived one', { source: event.event, distinct_id: 'someone' })
    posthog.capture('derived two', { n: 2, timestamp: '2024-01-02T03:04:05.000Z' })
    if (event.event === 'drop-me') {
        return null
    }
    return event
}
