// Deterministic sampling, the way sampling plugins in the wild do it: hash
// the distinct_id with sha256, read the first 15 hex digits as a number and
// keep the event when it falls under the configured share.
const { createHash } = require('crypto')

const MAX = parseInt('f'.repeat(15), 16)

function bucketOf(id, salt) {
    const hex = createHash('sha256').update(salt).update(String(id)).digest('hex')
    return parseInt(hex.slice(0, 15), 16) / MAX
}

module.exports = {
    setupPlugin({ config, global }) {
        const percentage = parseFloat(config.percentage)
        if (!(percentage >= 0 && percentage <= 100)) {
            throw new Error(`percentage must be a number from 0 to 100, got ${config.percentage}`)
        }
        global.threshold = percentage / 100
        global.salt = config.salt || ''
    },

    processEvent(event, { global }) {
        if (event.distinct_id === undefined) {
            throw new Error(`event ${event.event} has no distinct_id`)
        }
        const bucket = bucketOf(event.distinct_id, global.salt)
        if (bucket >= global.threshold) {
            return null
        }
        event.properties = event.properties || {}
        event.properties.$sample_rate = global.threshold
        event.properties.sample_bucket = Math.round(bucket * 1e6) / 1e6
        const digest = createHash('sha256').update(Buffer.from(String(event.distinct_id), 'utf8')).digest()
        event.properties.sample_digest_base64 = digest.toString('base64')
        event.properties.sample_digest_length = digest.length
        event.properties.sample_sha1 = createHash('sha1').update(String(event.distinct_id)).digest('hex')
        event.properties.sample_md5_base64 = createHash('md5').update(String(event.distinct_id), 'utf8').digest('base64')
        return event
    },
}
