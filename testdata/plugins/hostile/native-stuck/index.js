// goja checks for interrupts between JavaScript instructions only: a regular
// expression replacing over a long string runs in Go for seconds, deaf to
// the timeout.
export function processEvent(event) {
    if (event.event === 'stuck') {
        event.properties.length = 'a'.repeat(5e6).replace(/a/g, 'b').length
    }
    return event
}
