// `module.exports = {…}` using every part of meta that keeps state, each
// answer written into the event so that both hosts can be compared.
module.exports = {
    async setupPlugin({ attachments, config, global, utils }) {
        const mapping = attachments.mapping
        global.mapping = mapping ? JSON.parse(mapping.contents) : {}
        global.attachment = mapping
            ? {
                  content_type: mapping.content_type,
                  file_name: mapping.file_name,
                  bytes: mapping.contents.length,
                  is_buffer: Buffer.isBuffer(mapping.contents),
                  first_line: mapping.contents.toString().split('\n')[0].slice(0, 20),
              }
            : null
        global.config = { keys: Object.keys(config), values: { ...config } }
        global.options = JSON.parse(config.options)
        global.count = 0
        await utils.cursor.init('sequence', 100)
    },

    async processEvent(event, { cache, storage, global, utils, config }) {
        const p = event.properties || {}
        const step = event.event
        global.count++
        p.seen = global.count
        p.mapped = global.mapping[step] ?? null

        switch (step) {
            case 'setup':
                p.attachment = global.attachment
                p.config = global.config
                p.options = global.options
                break
            case 'cache':
                p.incr = [await cache.incr('counter'), await cache.incr('counter')]
                await cache.set('object', { z: 1, a: [1, 'two', null], nested: { y: true } })
                p.object = await cache.get('object', null)
                await cache.set('text', 'plain text', undefined, { jsonSerialize: false })
                p.text = await cache.get('text', null, { jsonSerialize: false })
                await cache.set('number-text', 42, 3600, { jsonSerialize: false })
                p.number_text = await cache.get('number-text', null, { jsonSerialize: false })
                p.number_json = await cache.get('number-text', null)
                p.missing = await cache.get('missing', 'the default')
                p.missing_null = await cache.get('missing', null)
                p.expire_missing = await cache.expire('missing', 60)
                p.expire_counter = await cache.expire('counter', 60)
                p.counter_after_expire = await cache.get('counter', 0)
                break
            case 'lists':
                p.lpush_one = await cache.lpush('list', 'a')
                p.lpush_many = await cache.lpush('list', ['b', 'c', 'b', 'd'])
                p.lpush_number = await cache.lpush('list', [7])
                p.llen = await cache.llen('list')
                p.lrange_all = await cache.lrange('list', 0, -1)
                p.lrange_middle = await cache.lrange('list', 1, 2)
                p.lrange_negative = await cache.lrange('list', -2, -1)
                p.lrange_past_end = await cache.lrange('list', 4, 100)
                p.lrem_b = await cache.lrem('list', 0, 'b')
                p.lpop_two = await cache.lpop('list', 2)
                p.after = await cache.lrange('list', 0, -1)
                p.lpop_missing = await cache.lpop('no-list', 1)
                p.llen_missing = await cache.llen('no-list')
                break
            case 'storage': {
                const key = `visits:${event.distinct_id}`
                const before = await storage.get(key, 0)
                await storage.set(key, before + 1)
                p.visits = await storage.get(key, 0)
                await storage.set('profile', { name: event.distinct_id, tags: ['x'], score: 1.5 })
                p.profile = await storage.get('profile', null)
                await storage.set('temporary', 'here')
                await storage.set('temporary', undefined)
                p.temporary = await storage.get('temporary', 'deleted by set(undefined)')
                await storage.set('gone', true)
                await storage.del('gone')
                p.gone = await storage.get('gone', 'deleted by del')
                break
            }
            case 'cursor':
                p.sequence = [await utils.cursor.increment('sequence'), await utils.cursor.increment('sequence', 10)]
                p.sequence_stored = await storage.get('sequence', null)
                await utils.cursor.init('sequence', 0)
                p.sequence_after_init = await storage.get('sequence', null)
                break
            case 'capture':
                await posthog.capture(`${config.prefix} event`, { source: step, count: global.count })
                await posthog.capture(`${config.prefix} with id`, {
                    distinct_id: event.distinct_id,
                    timestamp: '2024-05-06T07:08:09.000Z',
                    list: [1, { b: 2, a: 1 }],
                })
                posthog.capture('not awaited')
                break
            case 'throw':
                p.touched_before_throw = true
                throw new Error(`cannot handle ${event.distinct_id}`)
            case 'retry':
                throw new RetryError('try again later')
            case 'throw-string':
                throw 'a thrown string'
            case 'drop':
                return undefined
            case 'replace':
                return { event: 'replaced', distinct_id: event.distinct_id, team_id: event.team_id, properties: { b: 1, a: 2, 10: 'ten', 2: 'two' } }
        }
        event.properties = p
        return event
    },
}
