module.exports = {
    async processEventBatch(events, meta) {
        if (events.some((e) => e.event === 'throw')) {
            events[0].properties.touched = true
            throw new Error('batch failed')
        }
        if (events.some((e) => e.event === 'not-array')) {
            return { nope: true }
        }
        const out = []
        for (const e of events) {
            if (e.event === 'drop') continue
            if (e.event === 'dup') {
                out.push(e, e)
                continue
            }
            if (e.event === 'new') {
                out.push({ uuid: e.uuid, event: 'new-object', distinct_id: e.distinct_id, properties: { made: 'new' } })
                continue
            }
            out.push(null)
            e.properties.batched = events.length
            out.push(e)
        }
        return out.reverse()
    },
}
