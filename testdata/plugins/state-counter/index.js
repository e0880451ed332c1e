export async function processEvent(event, { cache, storage, utils }) {
    event.properties.n = await cache.incr('n')
    if (event.event === 'remember') {
        await storage.set('remembered', event.properties.value)
    }
    event.properties.remembered = await storage.get('remembered', null)
    await utils.cursor.init('cursor', 100)
    event.properties.cursor = await utils.cursor.increment('cursor')
    return event
}
