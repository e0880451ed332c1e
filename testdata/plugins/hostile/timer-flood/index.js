// 20,000 setIntervals from one call were accepted.
export function processEvent(event) {
    if (event.event === 'flood') {
        for (let i = 0; i < 20000; i++) {
            setInterval(() => {}, 60000)
        }
    }
    return event
}
