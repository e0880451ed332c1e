// goja checks for interrupts between JavaScript instructions only: turning
// a deeply nested array into JSON runs in Go for seconds (quadratic in the
// depth), deaf to the timeout.
export function processEvent(event) {
    if (event.event === 'stuck') {
        let nested = []
        for (let i = 0; i < 40000; i++) {
            nested = [nested]
        }
        event.properties.text = JSON.stringify(nested).length
    }
    return event
}
