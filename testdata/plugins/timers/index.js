// `module.exports = {…}` with an async processEvent that awaits timers, as
// plugins do to back off or to batch work. Delays are far enough apart that
// the order is deterministic on a loaded machine too.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function withTimeout(promise, ms, label) {
    let timer
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${label} timed out after ${ms} ms`)), ms)
    })
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

module.exports = {
    async processEvent(event) {
        const props = event.properties || {}
        const order = []

        await new Promise((resolve) => {
            let ticks = 0
            const interval = setInterval(() => {
                ticks++
                order.push(`tick ${ticks}`)
                if (ticks === 3) {
                    clearInterval(interval)
                    resolve()
                }
            }, 2)
        })
        const cleared = setTimeout(() => order.push('cleared timeout ran'), 5)
        clearTimeout(cleared)
        setTimeout(() => order.push('timeout 60'), 60)
        setTimeout((a, b) => order.push(`timeout 30 with ${a} and ${b}`), 30, 'x', 'y')
        setTimeout(() => order.push('timeout 30 second'), '30')
        Promise.resolve().then(() => order.push('microtask'))
        order.push('sync')
        await sleep(150)

        props.timer_order = order
        props.timeout_type = typeof cleared
        props.has_ref = typeof cleared.hasRef === 'function' ? cleared.hasRef() : null

        const delay = Number(props.delay || 0)
        try {
            props.raced = await withTimeout(sleep(delay).then(() => `slept ${delay}`), 50, event.event)
        } catch (e) {
            props.raced = String(e)
        }
        if (props.fail_after) {
            await sleep(Number(props.fail_after))
            throw new Error(`failed after waiting ${props.fail_after} ms`)
        }
        event.properties = props
        return event
    },
}
