export async function processEvent(event, { config, cache, global }) {
    switch (event.event) {
        case 'drop-null':
            return null
        case 'drop-undefined':
            return undefined
        case 'throw-error':
            event.properties.touched = true
            throw new Error('boom: ' + event.distinct_id)
        case 'throw-string':
            event.properties.touched = true
            throw 'a plain string'
        case 'reject':
            await cache.get('anything')
            return Promise.reject(new TypeError('rejected'))
        case 'retry':
            throw new RetryError('try again later')
        case 'new-object':
            return { ...event, event: 'replaced', properties: { b: 2, a: 1, 10: 'ten', 2: 'two' } }
        case 'change-team':
            event.team_id = 999
            return event
        case 'not-an-object':
            return 'a string'
        case 'log-secret':
            console.log('the key is', config.apiKey, { nested: config.apiKey })
            return event
        case 'ttl':
            if ((await cache.get('ttl-key')) === undefined) {
                await cache.set('ttl-key', { set: await cache.incr('ttl-sets') }, 1)
            }
            event.properties.cached = await cache.get('ttl-key')
            return event
        case 'undeclared':
            undeclaredVariable = 1
            return event
        default:
            global.seen = (global.seen || 0) + 1
            event.properties.seen = global.seen
            return event
    }
}
