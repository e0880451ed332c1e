// Recursion through a native call (forEach) ran for 30 minutes past a 3 s
// timeout: goja checks its interrupt flag only between JavaScript
// instructions, and the stack grew without a bound.
function throughNative() {
    [0].forEach(throughNative)
}

function plain(n) {
    return plain(n + 1) + 1
}

export function processEvent(event) {
    if (event.event === 'native') {
        throughNative()
    } else if (event.event === 'plain') {
        plain(0)
    } else if (event.event === 'caught') {
        // Catching the overflow must not let the recursion go on.
        const again = () => { try { [0].forEach(again) } catch (e) { again() } }
        again()
    }
    return event
}
