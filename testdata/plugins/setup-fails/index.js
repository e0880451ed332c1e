export function setupPlugin({ config }) {
    throw new Error('invalid API key for ' + (config.region || 'us'))
}
export function processEvent(event) {
    return event
}
