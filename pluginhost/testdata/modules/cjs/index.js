// Every host module, required as CommonJS plugins do.
const crypto = require('crypto')
const cryptoNS = require('node:crypto')
const { createHash, createHmac } = require('crypto')
const url = require('url')
const { URL: NodeURL, parse: parseUrl, format: formatUrl } = require('url')
const zlib = require('zlib')
const { gzipSync, gunzipSync } = require('zlib')
const util = require('util')
const { promisify, inspect, format } = require('node:util')
const { PassThrough } = require('stream')
const stream = require('stream')
const EventEmitter = require('events')
const { once } = require('events')
const querystring = require('querystring')
const { createBuffer } = require('@posthog/plugin-contrib')
const { Buffer: NodeBuffer } = require('buffer')
const { RetryError } = require('@posthog/plugin-scaffold')

async function processEvent(event, meta) {
    const props = event.properties
    props.md5 = crypto.createHash('md5').update(event.distinct_id).digest('hex')
    props.sha256 = cryptoNS.createHash('sha256').update('x').digest('base64')
    props.hmac = createHmac('sha1', 'k').update('m').digest('hex')
    props.sameHash = createHash === crypto.createHash
    props.host = parseUrl('https://Example.com:8080/p?q=1').host
    props.formatted = formatUrl({ protocol: 'https', hostname: 'a.com', pathname: '/x', query: { a: 1 } })
    props.resolved = url.resolve('http://a/b/c', '../d')
    props.urlGlobal = NodeURL === URL
    props.gz = gunzipSync(gzipSync('zip')).toString()
    props.gzAsync = zlib.gunzipSync(await promisify(zlib.gzip)('async')).toString()
    props.inspect = inspect({ a: [1, 2], b: { c: 'd' } })
    props.format = format('%s=%d', 'n', 5)
    props.utilDefault = util.format === format
    props.stream = await new Promise((resolve) => {
        const p = new PassThrough()
        const chunks = []
        p.on('data', (c) => chunks.push(c))
        p.on('end', () => resolve(Buffer.concat(chunks).toString()))
        p.write('stre')
        p.end('amed')
    })
    props.streamNS = typeof stream.Readable
    const emitter = new EventEmitter()
    const pending = once(emitter, 'go')
    emitter.emit('go', 42)
    props.once = (await pending)[0]
    props.qs = querystring.stringify({ a: [1, 2], b: 'x y' })
    const flushed = []
    const buffer = createBuffer({ limit: 2, onFlush: (objects) => { flushed.push(objects.length) } })
    buffer.add(1)
    buffer.add(2)
    buffer.add(3)
    await buffer.flush()
    props.contrib = flushed.join()
    props.buffer = NodeBuffer === Buffer
    props.retry = typeof RetryError
    props.intl = new Date(0).toLocaleString('en-US', { timeZone: 'America/New_York' })
    props.dtf = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium' }).format(new Date(0))
    props.clone = structuredClone({ a: new Date(0) }).a.getTime()
    props.microtask = await new Promise((resolve) => queueMicrotask(() => resolve('ok')))
    props.lookbehind = '$10'.match(/(?<=\$)\d+/)[0]
    try {
        undeclaredVariable = 1
        props.strict = 'sloppy'
    } catch (e) {
        props.strict = e.name
    }
    return event
}

module.exports = { processEvent }
