// Twin b: counts its events in meta.cache and meta.storage, and reads what
// the other twin would have left there.
export async function processEvent(event, { cache, storage }) {
  const seen = (await storage.get('seen', 0)) + 1
  await storage.set('seen', seen)
  await storage.set('owner', 'b')
  event.properties.twin = 'b'
  event.properties.cache = await cache.incr('events')
  event.properties.storage = seen
  event.properties.owner = await storage.get('owner', null)
  event.properties.cacheOwner = await cache.get('owner', null)
  await cache.set('owner', 'b')
  return event
}
