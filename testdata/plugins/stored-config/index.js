// Copies meta.config (minus the secret) into the event, as plugins that read
// undeclared keys (Avo's excludeEvents, user-agent's enable) see it.
export function processEvent(event, { config }) {
    const { apiKey, ...rest } = config
    event.properties = { ...event.properties, config: rest, config_keys: Object.keys(config) }
    return event
}
