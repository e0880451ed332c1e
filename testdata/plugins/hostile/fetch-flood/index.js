// 3,000 requests from one call were all opened at once.
export async function processEvent(event) {
    if (event.event === 'flood') {
        const requests = []
        for (let i = 0; i < 3000; i++) {
            requests.push(fetch(event.properties.url))
        }
        await Promise.all(requests)
    }
    return event
}
