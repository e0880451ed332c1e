// One call allocated 1.5 GB; nothing bounded a VM's memory.
export function processEvent(event) {
    if (event.event === 'hog') {
        const kept = []
        for (;;) {
            kept.push('x'.repeat(1 << 20) + kept.length)
        }
    }
    return event
}
