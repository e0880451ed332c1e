// Every host module, imported the ways TypeScript plugins do it: default,
// namespace and named imports, with and without the node: prefix.
import crypto from 'crypto'
import * as cryptoNS from 'node:crypto'
import { createHash, createHmac } from 'crypto'
import url, { URL as NodeURL, parse as parseUrl, format as formatUrl } from 'url'
import zlib, { gzipSync, gunzipSync } from 'zlib'
import util, { promisify, inspect, format } from 'node:util'
import { PassThrough } from 'stream'
import * as stream from 'stream'
import EventEmitter, { once } from 'events'
import querystring from 'querystring'
import { createBuffer } from '@posthog/plugin-contrib'
import { Buffer as NodeBuffer } from 'buffer'
import { RetryError } from '@posthog/plugin-scaffold'

interface Props {
    [key: string]: unknown
}

export async function processEvent(event: any, meta: any) {
    const props: Props = event.properties
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
        const chunks: Buffer[] = []
        p.on('data', (c: Buffer) => chunks.push(c))
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
    const flushed: number[] = []
    const buffer = createBuffer({ limit: 2, onFlush: (objects: any[]) => { flushed.push(objects.length) } })
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
    props.lookbehind = '$10'.match(/(?<=\$)\d+/)![0]
    try {
        // @ts-ignore: the point is the undeclared assignment
        undeclaredVariable = 1
        props.strict = 'sloppy'
    } catch (e: any) {
        props.strict = e.name
    }
    return event
}
