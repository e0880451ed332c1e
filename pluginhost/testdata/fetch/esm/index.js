import fetch, { Headers, Response, Request, FetchError, AbortError } from 'node-fetch'

// Each event names a scenario; properties.url is the test server. The
// scenario's result (or the error it caught) goes to properties.result.

function describe(e) {
    return {
        name: e.name,
        type: e.type,
        code: e.code,
        errno: e.errno,
        message: e.message,
        isFetchError: e instanceof FetchError,
        isAbortError: e instanceof AbortError,
        isError: e instanceof Error,
        isTypeError: e instanceof TypeError,
    }
}

async function settle(promise) {
    try {
        const res = await promise
        return { resolved: true, status: res.status }
    } catch (e) {
        return describe(e)
    }
}

const scenarios = {
    async get({ url }) {
        const res = await fetch(url + '/echo?x=1')
        const body = await res.json()
        return {
            ok: res.ok,
            status: res.status,
            statusText: res.statusText,
            url: res.url,
            redirected: res.redirected,
            contentType: res.headers.get('Content-Type'),
            hasContentType: res.headers.has('content-type'),
            missing: res.headers.get('x-missing'),
            bodyUsed: res.bodyUsed,
            globalIsModule: globalThis.fetch === fetch,
            body,
        }
    },

    async methods({ url }) {
        const out = {}
        for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'post']) {
            const res = await fetch(url + '/echo', { method })
            out[method] = (await res.json()).method
        }
        const head = await fetch(url + '/echo', { method: 'HEAD' })
        out.HEAD = { status: head.status, text: await head.text() }
        return out
    },

    async headers({ url }) {
        const auth = 'Basic ' + Buffer.from('user:pass').toString('base64')
        const asObject = await (await fetch(url + '/echo', { headers: { Authorization: auth, 'X-Num': 42 } })).json()
        const asPairs = await (await fetch(url + '/echo', { headers: [['X-A', '1'], ['X-A', '2'], ['x-b', 'b']] })).json()
        const h = new Headers({ 'X-One': 'one' })
        h.append('x-one', 'uno')
        h.set('User-Agent', 'my-agent/1.0')
        h.set('Accept', 'application/json')
        const asHeaders = await (await fetch(url + '/echo', { headers: h })).json()
        let invalid
        try {
            new Headers({ 'bad name': 'x' })
        } catch (e) {
            invalid = describe(e)
        }
        const iterated = []
        h.forEach((value, name) => iterated.push(name + '=' + value))
        return {
            authorization: asObject.headers['authorization'],
            num: asObject.headers['x-num'],
            pairs: asPairs.headers['x-a'],
            b: asPairs.headers['x-b'],
            one: asHeaders.headers['x-one'],
            userAgent: asHeaders.headers['user-agent'],
            accept: asHeaders.headers['accept'],
            get: h.get('X-ONE'),
            iterated,
            entries: Array.from(h.entries()),
            invalid,
        }
    },

    async bodies({ url }) {
        const post = async (body, headers) => (await fetch(url + '/echo', { method: 'POST', body, headers })).json()
        const s = await post('héllo')
        const b = await post(Buffer.from([1, 2, 3, 255]))
        const u = await post(new Uint8Array([104, 105]).subarray(1))
        const ab = await post(new Uint8Array([7, 8]).buffer)
        const params = await post(new URLSearchParams({ a: '1', b: 'two words' }))
        const json = await post(JSON.stringify({ k: 'v' }), { 'Content-Type': 'application/json' })
        const empty = await post(undefined)
        let getWithBody
        try {
            await fetch(url + '/echo', { method: 'GET', body: 'x' })
        } catch (e) {
            getWithBody = describe(e)
        }
        return {
            string: [s.body, s.headers['content-type'], s.headers['content-length']],
            buffer: [b.bodyBase64, b.headers['content-type'] || null],
            uint8array: u.body,
            arrayBuffer: ab.bodyBase64,
            params: [params.body, params.headers['content-type']],
            json: [json.body, json.headers['content-type']],
            empty: [empty.body, empty.headers['content-length']],
            getWithBody,
        }
    },

    async readers({ url }) {
        const text = await (await fetch(url + '/echo')).text()
        const buf = await (await fetch(url + '/bytes')).buffer()
        const ab = await (await fetch(url + '/bytes')).arrayBuffer()
        const res = await fetch(url + '/echo')
        await res.text()
        const again = await settle(res.json())
        const invalid = await settle((await fetch(url + '/not-json')).json())
        const cookies = await fetch(url + '/cookies')
        const raw = cookies.headers.raw()
        const names = []
        cookies.headers.forEach((value, name) => names.push(name))
        const clone = (await fetch(url + '/echo')).clone()
        const body = (await fetch(url + '/bytes')).body
        return {
            text: typeof text === 'string' && JSON.parse(text).method,
            buffer: [buf instanceof Buffer, buf.length, buf[0], buf[buf.length - 1]],
            arrayBuffer: [ab instanceof ArrayBuffer, ab.byteLength],
            bodyUsed: res.bodyUsed,
            again,
            invalid,
            setCookie: raw['set-cookie'],
            setCookieJoined: cookies.headers.get('set-cookie'),
            sortedNames: names,
            latin1: cookies.headers.get('x-latin1'),
            clone: (await clone.json()).method,
            bodyIsBuffer: body instanceof Buffer,
        }
    },

    async status({ url }) {
        const notFound = await fetch(url + '/status?code=404')
        const error = await fetch(url + '/status?code=503')
        const custom = await fetch(url + '/custom-reason')
        return {
            notFound: [notFound.ok, notFound.status, notFound.statusText, await notFound.text()],
            error: [error.ok, error.status, error.statusText],
            custom: [custom.ok, custom.status, custom.statusText, await custom.text()],
        }
    },

    async redirects({ url }) {
        const follow = await fetch(url + '/redirect?n=3')
        const followBody = await follow.json()
        const manual = await fetch(url + '/redirect?n=1', { redirect: 'manual' })
        const error = await settle(fetch(url + '/redirect?n=1', { redirect: 'error' }))
        const tooMany = await settle(fetch(url + '/redirect?n=3', { follow: 2 }))
        const twentyOne = await settle(fetch(url + '/redirect?n=21'))
        const twenty = await fetch(url + '/redirect?n=20')
        const seeOther = await fetch(url + '/redirect?n=1&code=303', { method: 'POST', body: 'x' })
        const keep = await fetch(url + '/redirect?n=1&code=307', { method: 'POST', body: 'kept' })
        return {
            follow: [follow.status, follow.redirected, follow.url, followBody.url],
            manual: [manual.status, manual.redirected, manual.headers.get('location')],
            error,
            tooMany,
            twentyOne,
            twenty: [twenty.status, twenty.redirected],
            seeOther: (await seeOther.json()).method,
            keep: await keep.json().then((b) => [b.method, b.body]),
        }
    },

    async compression({ url }) {
        const out = {}
        for (const path of ['gzip', 'deflate', 'rawdeflate']) {
            const res = await fetch(url + '/' + path)
            out[path] = [(await res.json()).compressed, res.headers.get('content-encoding')]
        }
        const raw = await fetch(url + '/gzip', { compress: false })
        out.uncompressed = (await raw.buffer()).toString('hex').substring(0, 4)
        const accept = await (await fetch(url + '/echo')).json()
        out.acceptEncoding = accept.headers['accept-encoding']
        const corrupt = await settle(fetch(url + '/corrupt-gzip'))
        out.corrupt = corrupt
        return out
    },

    async timeout({ url }) {
        const started = Date.now()
        const slow = await settle(fetch(url + '/slow?ms=3000', { timeout: 100 }))
        const slowBody = await settle(fetch(url + '/slow-body?ms=3000', { timeout: 200 }))
        return { slow, slowBody, quick: Date.now() - started < 2500 }
    },

    async abort({ url }) {
        const controller = new AbortController()
        const started = Date.now()
        setTimeout(() => controller.abort(), 50)
        const aborted = await settle(fetch(url + '/slow?ms=3000', { signal: controller.signal }))
        const pre = new AbortController()
        pre.abort()
        const preAborted = await settle(fetch(url + '/echo', { signal: pre.signal }))
        const timeoutSignal = await settle(fetch(url + '/slow?ms=3000', { signal: AbortSignal.timeout(50) }))
        const events = []
        const c = new AbortController()
        c.signal.addEventListener('abort', (e) => events.push(e.type))
        c.signal.onabort = () => events.push('onabort')
        c.abort()
        c.abort()
        const after = await fetch(url + '/echo', { signal: new AbortController().signal })
        let badSignal
        try {
            await fetch(url + '/echo', { signal: {} })
        } catch (e) {
            badSignal = describe(e)
        }
        return {
            aborted,
            preAborted,
            timeoutSignal,
            quick: Date.now() - started < 2500,
            events,
            reason: [c.signal.aborted, c.signal.reason && c.signal.reason.name],
            after: after.status,
            badSignal,
        }
    },

    async refused({ url }) {
        return settle(fetch(url + '/nothing-listens'))
    },

    async invalid({ url }) {
        return {
            relative: await settle(fetch('/relative')),
            ftp: await settle(fetch('ftp://example.com/')),
            garbage: await settle(fetch('http://')),
        }
    },

    async size({ url }) {
        return {
            over: await settle(fetch(url + '/bytes?n=2048', { size: 1024 }).then((r) => r.text())),
            under: await (await fetch(url + '/bytes?n=512', { size: 1024 })).buffer().then((b) => b.length),
        }
    },

    async constructors() {
        const res = new Response('made', { status: 201, headers: { 'X-Y': 'z' } })
        const req = new Request('http://example.com/a', { method: 'post', body: 'b' })
        const err = new FetchError('msg', 'custom', { code: 'ECODE' })
        return {
            response: [res.status, res.ok, res.statusText, res.headers.get('x-y'), res.headers.get('content-type'), await res.text()],
            request: [req.method, req.url, req.headers.get('content-type'), await req.text()],
            error: describe(err),
            abortError: describe(new AbortError('gone')),
        }
    },

    // Never awaited long enough: the call times out and the request is cancelled.
    async hang({ url }) {
        await fetch(url + '/slow?ms=10000')
        return 'unreachable'
    },

    async guarded({ url, path }) {
        return settle(fetch(url + (path || '/echo')))
    },
}

export async function processEvent(event) {
    const run = scenarios[event.event]
    if (!run) {
        throw new Error('unknown scenario ' + event.event)
    }
    event.properties.result = await run(event.properties)
    return event
}
