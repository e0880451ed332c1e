// The host serialised a returned event after the watchdog had stopped
// watching, so plugin code reached from there (toJSON, a getter, a proxy
// trap, a thrown value's toString) hung the pipeline.
const forever = () => { for (;;) {} }

export function processEvent(event) {
    switch (event.event) {
        case 'tojson':
            event.toJSON = forever
            return event
        case 'getter':
            Object.defineProperty(event.properties, 'slow', { enumerable: true, get: forever })
            return event
        case 'proxy':
            event.properties = new Proxy({}, { ownKeys: forever })
            return event
        case 'prototype-tojson':
            Object.prototype.toJSON = forever
            return event
        case 'thrown-tostring':
            throw { toString: forever }
        case 'sparse-array':
            event.properties.list = []
            event.properties.list.length = 2 ** 32 - 1
            return event
        case 'huge':
            event.properties.blob = 'x'.repeat(17 << 20)
            return event
        default:
            return event
    }
}

export function processEventBatch(events) {
    const list = []
    list.length = 2 ** 32 - 1
    return list
}
