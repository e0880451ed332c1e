export const getSettings = () => ({ handlesLargeBatches: true })

export async function exportEvents(events, { cache }) {
    await cache.lpush('batches', JSON.stringify(events))
}
