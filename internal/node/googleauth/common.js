// What the Google host packages' JavaScript shares: the SDKs' error
// classes (@google-cloud/common's ApiError and PartialFailureError), a
// request to a JSON API that settles the way their makeRequest does, the
// callback-or-promise calling convention, and refusals of methods the host
// does not serve.
(function (request, pkg, requireFn) {
    'use strict'

    // The SDK joins the distinct messages of an error body; more than one
    // become a numbered list.
    function multiErrorMessage(err, errors) {
        const messages = new Set()
        if (err.message) messages.add(err.message)
        if (errors && errors.length) {
            errors.forEach(({ message }) => messages.add(message))
        } else if (err.response && err.response.body) {
            messages.add(String(err.response.body))
        } else if (!err.message) {
            messages.add('A failure occurred during this request.')
        }
        let list = Array.from(messages)
        if (list.length > 1) {
            list = list.map((m, i) => `    ${i + 1}. ${m}`)
            list.unshift('Multiple errors occurred during the request. Please see the `errors` array for complete details.\n')
            list.push('\n')
        }
        return list.join('\n')
    }

    class ApiError extends Error {
        constructor(body) {
            super()
            if (typeof body !== 'object' || body === null) body = { message: body || '' }
            this.code = body.code
            this.errors = body.errors
            this.response = body.response
            this.message = multiErrorMessage(body, this.errors)
        }
        static createMultiErrorMessage(err, errors) {
            return multiErrorMessage(err, errors)
        }
    }

    class PartialFailureError extends Error {
        constructor(body) {
            super()
            this.errors = body.errors
            this.name = 'PartialFailureError'
            this.response = body.response
            this.message = multiErrorMessage(body, this.errors)
        }
    }

    // node-fetch's FetchError, when the runtime serves node-fetch: plugins
    // tell network failures apart with instanceof FetchError, as gaxios
    // lets node-fetch's errors through.
    let FetchError
    function fetchError() {
        if (FetchError === undefined) {
            FetchError = null
            try {
                const m = requireFn('node-fetch')
                if (m && typeof m.FetchError === 'function') FetchError = m.FetchError
            } catch (e) {
                // No node-fetch here: a plain Error with the same fields.
            }
        }
        return FetchError
    }

    // A request that got no answer (a FetchError of type "system", as
    // node-fetch gives) or a refused token (an Error with the status as
    // its code, as gaxios gives).
    function requestError(f) {
        if (f.system) {
            const FE = fetchError()
            if (FE) return new FE(f.message, 'system', { code: f.code })
            const e = new Error(f.message)
            e.type = 'system'
            e.code = e.errno = f.code
            return e
        }
        const e = new Error(f.message)
        if (f.code !== undefined) e.code = f.code
        if (f.status !== undefined) e.status = f.status
        return e
    }

    const statusTexts = {
        400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
        412: 'Precondition Failed', 429: 'Too Many Requests', 500: 'Internal Server Error',
        502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
    }

    // call sends one request and resolves to [body, response]: body is the
    // parsed JSON answer; a status of 400 or more rejects with an ApiError.
    function call(what, options) {
        return new Promise((resolve, reject) => {
            request(Object.assign({ what }, options), (err, res) => {
                if (err) {
                    reject(requestError(err))
                    return
                }
                let body = res.body
                if (/json/.test(res.contentType || '') && body !== '') {
                    try {
                        body = JSON.parse(body)
                    } catch (e) {
                        // Left as text, as the SDK leaves an unparsable body.
                    }
                }
                const response = { statusCode: res.status, statusMessage: statusTexts[res.status] || '', headers: { 'content-type': res.contentType }, body }
                if (res.status >= 400) {
                    if (body && typeof body === 'object' && body.error && typeof body.error === 'object') {
                        reject(new ApiError(Object.assign({}, body.error, { code: body.error.code || res.status, response })))
                    } else {
                        reject(new ApiError({ code: res.status, message: response.statusMessage, errors: [], response }))
                    }
                    return
                }
                resolve([body === '' ? {} : body, response])
            })
        })
    }

    // withCallback settles cb(err, ...values) when one is given (and
    // returns nothing), else returns the promise of the values array.
    function withCallback(promise, cb) {
        if (typeof cb !== 'function') return promise
        promise.then((values) => cb(null, ...values), (err) => cb(err))
        return undefined
    }

    // refuse makes each named method throw a TypeError naming the package,
    // the class and the method, and what is supported.
    function refuse(cls, names, supported) {
        for (const name of names) {
            cls.prototype[name] = function () {
                throw new TypeError(`${pkg}: ${cls.name}.${name} is not supported by hogpipe (supported: ${supported.join(', ')})`)
            }
        }
    }

    // endpoint reads an apiEndpoint option as the SDKs do: a bare host name
    // means https; a trailing slash is dropped.
    function endpoint(value, fallback) {
        if (value === undefined || value === null || value === '') return fallback
        let s = String(value)
        if (!/^https?:\/\//.test(s)) s = 'https://' + s
        return s.replace(/\/+$/, '')
    }

    // serviceAccount checks the client options: hogpipe reads no key files
    // and has no default credentials.
    function serviceAccount(options, className) {
        options = options || {}
        if (options.keyFilename && !options.credentials) {
            throw new TypeError(`${pkg}: new ${className}({keyFilename}) is not supported by hogpipe: pass the service account key as credentials: {client_email, private_key}`)
        }
        const credentials = options.credentials || {}
        return {
            credentials: {
                client_email: credentials.client_email,
                private_key: credentials.private_key,
                private_key_id: credentials.private_key_id,
                token_uri: credentials.token_uri,
            },
            projectId: options.projectId || credentials.project_id,
        }
    }

    return { ApiError, PartialFailureError, call, withCallback, refuse, endpoint, serviceAccount }
})
