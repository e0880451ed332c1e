// JSON.parse of "[[[[…" (3 MB) recursed in goja until the Go stack
// overflowed, which killed the process: from an event property, or from a
// response body through res.json(). JSON.stringify of deeply nested arrays
// recursed likewise, in time quadratic in the depth.
export async function processEvent(event) {
    if (event.event === 'fine') {
        return event
    }
    if (event.event === 'stringify') {
        let nested = []
        for (let i = 0; i < 100000; i++) {
            nested = [nested]
        }
        event.properties.text = JSON.stringify(nested)
        return event
    }
    if (event.event === 'fetch') {
        const res = await fetch(event.properties.url)
        event.properties.parsed = await res.json()
        return event
    }
    event.properties.parsed = JSON.parse(event.properties.payload)
    return event
}
