export async function setupPlugin({ cache }) {
    await cache.incr('setups')
}

export async function runEveryMinute({ config, utils }) {
    const n = await utils.cursor.increment('minute runs')
    const ms = parseInt(config.sleepMs, 10)
    if (ms > 0) {
        const end = Date.now() + ms
        while (Date.now() < end) {}
    }
    posthog.capture('minute tick', { n })
}

export async function runEveryHour() {
    posthog.capture('hour tick')
}

export const jobs = {
    greet: async (payload, meta) => {
        posthog.capture('greeted', { name: payload.name, meta_is_last: !!(meta && meta.config && meta.jobs) })
    },
    noPayload: async (...args) => {
        posthog.capture('no payload', { args: args.length, meta_first: !!args[0].jobs })
    },
    chain: async ({ next }, { jobs }) => {
        await jobs.greet({ name: next }).runNow()
    },
    later: async ({ seconds }, { jobs }) => {
        await jobs.greet({ name: 'later' }).runIn(seconds, 'seconds')
    },
    fail: async () => {
        throw new Error('job failed on purpose')
    },
}
