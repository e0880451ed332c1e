// A TypeScript plugin with no "main": index.ts with a typed object literal
// and a relative import. The uuid is a name-based (version 5 layout) UUID
// from the SHA-1 of JSON.stringify(properties), so the key order of the
// properties, as they arrived, decides the result.
import { createHash } from 'crypto'
import type { Plugin, PluginEvent } from '@posthog/plugin-scaffold'

import { uuidFromSha1Hex } from './lib/uuid'

interface Fingerprint {
    sha1: string
    length: number
}

function fingerprint(value: unknown): Fingerprint {
    const text: string = JSON.stringify(value) ?? 'undefined'
    return { sha1: createHash('sha1').update(text).digest('hex'), length: text.length }
}

const plugin: Plugin = {
    processEvent(event: PluginEvent) {
        const props = event.properties ?? {}
        const { sha1, length } = fingerprint(props)
        event.uuid = uuidFromSha1Hex(sha1)
        event.properties = {
            ...props,
            $dedup_sha1: sha1,
            $dedup_json_length: length,
            $dedup_keys: Object.keys(props).join(','),
            $dedup_set: event.$set ? fingerprint(event.$set).sha1 : null,
        }
        return event
    },
}

module.exports = plugin
