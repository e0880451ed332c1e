// Each event is a copy of testdata/events/pageview.json whose uuid ends in
// the number of a case below. Every case uses the event the way some plugin
// could, so that hogpipe must behave exactly as a plain object does in Node
// (key order included), however it hands events to plugins.

const cases = {
    // Reads of every kind of value, writes of new and existing keys.
    1(event) {
        const p = event.properties
        p.read = [
            p.$os, p.$browser_version, p.$user_id, p.utm_term, p.$title, p.$time,
            p.$active_feature_flags[1], p.$set.email, p.$set_once.$initial_utm_medium,
            p.$feature_flag_payloads['insights-v2'].limits[2], p.missing, event.team_id,
            typeof p.$feature_flag_payloads, typeof p.$user_id, p.$title.length, [...p.$title].length,
        ]
        p.$browser = p.$browser.toUpperCase()
        p.$time = p.$time * 1000
        p.added_string = 'ü✓'
        p.added_undefined = undefined
        p.added_nested = { a: [1, { b: null }], c: 'd' }
        p['123'] = 'integer-like key'
        p['2'] = 'goes first'
        event.event = event.event + '_seen'
        event.added_top = 1
        return event
    },
    // delete, in, hasOwnProperty; a deleted and re-added key goes last.
    2(event) {
        const p = event.properties
        delete event.ip
        delete p.$os
        delete p.does_not_exist
        delete p.$set.email
        const browser = p.$browser
        delete p.$browser
        p.$browser = browser
        p.checks = [
            'ip' in event, 'properties' in event, '$set' in p, '$os' in p, 'toString' in p,
            'missing' in p, p.hasOwnProperty('$set_once'), Object.prototype.hasOwnProperty.call(p, 'toString'),
            '0' in p.$active_feature_flags, '5' in p.$active_feature_flags, p.$user_id === null, 'utm_medium' in p,
        ]
        return event
    },
    // for…in, Object.keys/values/entries, getOwnPropertyNames, key order.
    3(event) {
        const p = event.properties
        const forIn = []
        for (const key in event) forIn.push(key)
        const propKeys = []
        for (const key in p) if (key.startsWith('$session')) propKeys.push(key)
        p.for_in = forIn
        p.prop_keys = propKeys
        p.keys = Object.keys(p).length
        p.values = Object.values(p.$set)
        p.entries = Object.entries(p.$set_once).slice(0, 3)
        p.names = Object.getOwnPropertyNames(event.properties.$groups)
        p.from_entries = Object.fromEntries(Object.entries(p.$groups).map(([k, v]) => [v, k]))
        return event
    },
    // Object.assign and spread, into the event and into new objects.
    4(event) {
        Object.assign(event.properties, { $os: 'Linux', assigned: true }, { $set: { only: 'this' } })
        const copy = Object.assign({}, event)
        copy.event = 'copied'
        const spread = { ...event, properties: { first: 1, ...event.properties, last: 2 } }
        spread.properties.copy_event = copy.event
        spread.properties.same_properties = copy.properties === event.properties
        spread.properties.original_event = event.event
        return spread
    },
    // JSON.stringify of parts of the event (key order matters) and JSON round trips.
    5(event) {
        const p = event.properties
        p.json_set = JSON.stringify(p.$set)
        p.json_length = JSON.stringify(event).length
        p.json_pretty = JSON.stringify(p.$groups, null, 2)
        p.json_replacer = JSON.stringify(p, ['$os', '$set', 'email', '$browser'])
        p.json_fn = JSON.stringify(p.$set_once, (k, v) => (v === null ? 'was null' : v))
        const round = JSON.parse(JSON.stringify(event))
        round.properties.round_trip = true
        return round
    },
    // Nested in-place edits and arrays.
    6(event) {
        const p = event.properties
        p.$set.email = p.$set.email.toLowerCase()
        p.$set.new_key = [1, 2]
        p.$set_once.$initial_os = null
        p.$initial_person_info.u = p.$initial_person_info.u.replace('utm_source=google', 'utm_source=other')
        const flags = p.$active_feature_flags
        flags.push('pushed')
        flags.unshift('unshifted')
        flags.splice(2, 1)
        flags.sort()
        p.flags_mapped = flags.map((f) => f.length).filter((n) => n > 7)
        p.is_array = [Array.isArray(flags), Array.isArray(p.$set), flags.length]
        const limits = p.$feature_flag_payloads['insights-v2'].limits
        limits[5] = 500
        limits.length = 7
        p.limits_json = JSON.stringify(limits)
        p.$session_recording_network_payload_capture.recordBody = true
        return event
    },
    // Replacing event.properties wholesale.
    7(event) {
        const old = event.properties
        event.properties = Object.fromEntries(Object.entries(old).filter(([key]) => !key.startsWith('$')))
        event.properties.kept = Object.keys(old).length
        event.properties.$set = { replaced: true }
        return event
    },
    // Returning a new object built from parts of the event.
    8(event) {
        return {
            event: 'rebuilt',
            distinct_id: event.distinct_id,
            team_id: event.team_id,
            uuid: event.uuid,
            timestamp: event.timestamp,
            properties: { url: event.properties.$current_url, $set: event.properties.$set, flags: event.properties.$active_feature_flags },
        }
    },
    // structuredClone: the clone is independent of the event.
    9(event) {
        const clone = structuredClone(event)
        clone.properties.$set.email = 'clone@example.com'
        clone.properties.$active_feature_flags.push('clone-only')
        delete clone.properties.$os
        event.properties.clone_checks = [
            clone !== event, clone.properties !== event.properties, event.properties.$set.email,
            event.properties.$active_feature_flags.length, '$os' in event.properties, Object.keys(clone.properties).length,
        ]
        clone.properties.from_event = event.properties.clone_checks
        return clone
    },
    // Untouched: the event comes back as it came in.
    10(event) {
        return event
    },
    // Read only, returning the same object.
    11(event) {
        let n = 0
        for (const [key, value] of Object.entries(event.properties)) {
            if (typeof value === 'string' && key.length > 10) n++
        }
        if (n < 0) event.never = true
        return event
    },
    // A "__proto__" key, as JSON.parse reads it: an own property, not the prototype.
    12(event) {
        const p = event.properties
        p.proto_checks = [p.polluted === undefined, Object.keys(p)[0], Object.getPrototypeOf(p) === Object.prototype, typeof p.__proto__]
        return event
    },
    // Reflection: descriptors, own keys, identity, inherited values.
    13(event) {
        const p = event.properties
        p.reflect = [
            JSON.stringify(Object.getOwnPropertyDescriptor(p, '$os')), Reflect.ownKeys(p).length,
            Object.hasOwn(p, '$os'), p.propertyIsEnumerable('$os'), Object.getOwnPropertyNames(event),
            JSON.stringify(Object.getOwnPropertyDescriptors(event).uuid), event.properties === p,
            p.constructor === Object, String(p), Reflect.has(p, '$browser'), Object.isFrozen(p), Object.isExtensible(p),
        ]
        Reflect.set(p, 'via_reflect', 1)
        Reflect.deleteProperty(p, '$lib')
        const inherited = Object.create(p)
        p.inherited = [inherited.$os, Object.keys(inherited).length, '$os' in inherited]
        return event
    },
    // The whole event through JSON.stringify with an indent and a replacer.
    14(event) {
        const indented = JSON.stringify(event, null, 2)
        const replaced = JSON.stringify(event, (key, value) => (typeof value === 'number' ? value + 1 : value))
        event.properties.stringified = [indented.length, indented.split('\n').length, replaced.length, replaced.slice(0, 120)]
        return event
    },
    // An input with integer-like keys, escapes, a repeated key and odd numbers.
    15(event) {
        const p = event.properties
        p.seen = [Object.keys(p), p.a, p.escaped, p['é'], p.nums, Object.keys(p.nested)]
        return event
    },
    // Swapping the prototype of the properties, and setting __proto__.
    16(event) {
        const p = event.properties
        Object.setPrototypeOf(p, { inheritedKey: 'from proto' })
        p.proto_seen = [p.inheritedKey, Object.keys(p).includes('inheritedKey')]
        const q = {}
        q.__proto__ = { x: 1 }
        p.q = [q.x, Object.keys(q).length]
        return event
    },
}

async function processEvent(event) {
    const number = Number(event.uuid.slice(event.uuid.lastIndexOf('-') + 1))
    const run = cases[number]
    if (!run) throw new Error(`no case ${number} for ${event.uuid}`)
    return run(event)
}
