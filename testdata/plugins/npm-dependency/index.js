// Dependencies from the plugin's own node_modules (npm ci installs the
// pinned versions of package-lock.json). `events` is also in node_modules
// (events@3.3.0, the browser copy, which has no EventEmitter.errorMonitor):
// the host's built-in must win over it, as Node's does.
import { parseUserAgent } from 'detect-browser'
import get from 'lodash/get'
import { camelCase, pick, sortBy } from 'lodash'
import { EventEmitter } from 'events'

export function processEvent(event) {
    const props = event.properties || {}
    const ua = get(event, 'properties.$raw_user_agent') ?? get(event, ['properties', 'userAgent'], null)
    if (ua) {
        const info = parseUserAgent(ua)
        props.ua_type = info ? info.type : null
        if (info) {
            props.$browser = info.name
            props.$browser_version = info.version
            props.$os = info.os
        }
    }
    props.keys_camel = sortBy(Object.keys(props).map(camelCase))
    props.picked = pick(props, ['a', 'b', 'missing'])
    props.events_error_monitor = typeof EventEmitter.errorMonitor
    const emitter = new EventEmitter()
    const got = []
    emitter.once('value', (v) => got.push(v))
    emitter.emit('value', 1)
    emitter.emit('value', 2)
    props.emitted = got
    event.properties = props
    return event
}
