// Works as a processor, an exporter and a scheduled task, reading its config
// and attachment so a broken setting shows in the events.
export function processEvent(event, { config, attachments }) {
    event.properties = event.properties || {}
    event.properties.greeting = config.greeting
    event.properties.lookup = attachments.lookup ? attachments.lookup.contents.toString().trim() : null
    return event
}

export async function onEvent(event, { cache }) {
    await cache.lpush('seen', [event.event])
}

export function runEveryMinute({ config }) {
    posthog.capture('settings tick', { greeting: config.greeting })
}
