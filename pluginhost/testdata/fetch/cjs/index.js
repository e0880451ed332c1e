const fetch = require('node-fetch')
const { Headers, Response, Request, FetchError, AbortError } = require('node-fetch')

async function processEvent(event) {
    const res = await fetch(event.properties.url + '/echo')
    const body = await res.json()
    event.properties.result = {
        isFunction: typeof fetch === 'function',
        defaultIsFetch: fetch.default === fetch,
        globalIsFetch: globalThis.fetch === fetch,
        esModule: fetch.__esModule === true,
        classes: [Headers, Response, Request, FetchError, AbortError].every((c) => typeof c === 'function'),
        globalClasses: globalThis.Headers === Headers && globalThis.Response === Response && globalThis.Request === Request,
        isRedirect: fetch.isRedirect(301) && !fetch.isRedirect(200),
        method: body.method,
    }
    return event
}

module.exports = { processEvent }
