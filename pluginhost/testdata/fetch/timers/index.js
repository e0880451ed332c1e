// Timer scenarios: each event names one; the result goes to properties.result.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const scenarios = {
    async order() {
        const order = []
        await new Promise((resolve) => {
            setTimeout(() => order.push('timeout 10'), 10)
            setTimeout(() => {
                order.push('timeout 0 a')
                Promise.resolve().then(() => order.push('microtask of a'))
            }, 0)
            setTimeout(() => order.push('timeout 0 b'), 0)
            setTimeout(() => {
                order.push('timeout 30')
                resolve()
            }, 30)
            setImmediate(() => order.push('immediate'))
            Promise.resolve().then(() => order.push('microtask'))
            order.push('sync')
        })
        return order
    },

    async args() {
        const fromTimeout = await new Promise((resolve) => setTimeout((a, b) => resolve([a, b]), 1, 'x', 2))
        const fromImmediate = await new Promise((resolve) => setImmediate((a) => resolve(a), 'y'))
        return { fromTimeout, fromImmediate }
    },

    async interval() {
        let ticks = 0
        await new Promise((resolve) => {
            const id = setInterval(
                (step) => {
                    ticks += step
                    if (ticks === 3) {
                        clearInterval(id)
                        resolve()
                    }
                },
                5,
                1,
            )
        })
        await sleep(40)
        return ticks
    },

    async handles() {
        const fired = []
        const t = setTimeout(() => fired.push('cleared by id'), 5)
        const numeric = +t
        clearTimeout(numeric)
        const u = setTimeout(() => fired.push('cleared by object'), 5)
        clearTimeout(u)
        const imm = setImmediate(() => fired.push('cleared immediate'))
        clearImmediate(imm)
        const kept = setTimeout(() => fired.push('kept'), 5)
        const refreshed = setTimeout(() => fired.push('refreshed'), 20)
        await sleep(10)
        refreshed.refresh()
        await sleep(15)
        const beforeRefresh = fired.slice()
        await sleep(30)
        clearTimeout(null)
        clearTimeout(undefined)
        clearTimeout({})
        return {
            type: typeof t,
            numeric: typeof numeric === 'number' && numeric > 0,
            chain: kept.unref() === kept && kept.ref() === kept,
            hasRef: [kept.hasRef(), kept.unref().hasRef()],
            immediateRef: imm.hasRef(),
            fired,
            beforeRefresh,
        }
    },

    async badCallback() {
        try {
            setTimeout('code string', 1)
            return 'no error'
        } catch (e) {
            return { name: e.name, code: e.code, message: e.message }
        }
    },

    throwLater() {
        setTimeout(() => {
            throw new Error('boom from a timer')
        }, 1)
        setTimeout(async () => {
            await null
            throw new Error('async boom')
        }, 1)
        return 'scheduled'
    },

    // A flush on an interval failing while its database is down, then
    // succeeding: logged once per cause.
    failingFlush() {
        let n = 0
        const id = setInterval(() => {
            n++
            if (n <= 4) {
                throw new Error(`flush failed: connect ECONNREFUSED 127.0.0.1:5432 (attempt ${n})`)
            }
            clearInterval(id)
        }, 1)
        return 'scheduled'
    },

    spinLater() {
        setTimeout(() => {
            while (true) {}
        }, 1)
        return 'scheduled'
    },

    longTimer() {
        setTimeout(() => console.log('long timer fired'), 60000)
        return 'scheduled'
    },

    captureLater() {
        setTimeout(() => posthog.capture('from timer', { a: 1 }), 1)
        return 'scheduled'
    },

    ping() {
        return 'pong'
    },
}

export function setupPlugin() {
    setInterval(() => console.log('tick'), 10)
}

export async function processEvent(event) {
    const run = scenarios[event.event]
    if (!run) {
        throw new Error('unknown scenario ' + event.event)
    }
    event.properties.result = await run(event.properties)
    return event
}
