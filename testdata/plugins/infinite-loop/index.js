export async function setupPlugin({ global, cache }) {
    global.setupNumber = await cache.incr('setups')
}

export async function processEvent(event, { global }) {
    if (event.event === 'loop') {
        while (true) {}
    }
    if (event.event === 'hang') {
        await new Promise(() => {})
    }
    if (event.event === 'regex') {
        /^(a|a)*(?<=b)$/.test('a'.repeat(40) + 'c')
    }
    event.properties.setup_number = global.setupNumber
    return event
}
