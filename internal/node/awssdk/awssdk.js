// aws-sdk (the v2 JavaScript API), the S3 part export plugins use. Requests
// run in Go (host.call); this file gives them the SDK's shapes: the global
// config, Credentials, and AWS.Request with send() and promise().
(function (module, exports, require, host) {
    'use strict'

    const supported = ['upload', 'putObject', 'getObject', 'headBucket', 'listObjectsV2', 'deleteObject']
    // Other S3 methods plugins might call: each throws a TypeError naming the
    // package and the method instead of "is not a function".
    const refused = [
        'abortMultipartUpload', 'completeMultipartUpload', 'copyObject', 'createBucket', 'createMultipartUpload',
        'deleteBucket', 'deleteObjects', 'getBucketLocation', 'getObjectAcl', 'getSignedUrl', 'getSignedUrlPromise',
        'headObject', 'listBuckets', 'listObjects', 'listObjectVersions', 'putBucketPolicy', 'putObjectAcl',
        'restoreObject', 'selectObjectContent', 'uploadPart', 'waitFor', 'createPresignedPost',
    ]

    function copyOptions(target, options) {
        if (options && typeof options === 'object') {
            for (const k of Object.keys(options)) {
                target[k] = options[k]
            }
        }
        return target
    }

    class Credentials {
        constructor(accessKeyId, secretAccessKey, sessionToken) {
            if (accessKeyId && typeof accessKeyId === 'object') {
                const o = accessKeyId
                accessKeyId = o.accessKeyId
                secretAccessKey = o.secretAccessKey
                sessionToken = o.sessionToken
            }
            this.accessKeyId = accessKeyId
            this.secretAccessKey = secretAccessKey
            this.sessionToken = sessionToken
            this.expired = false
        }
        get(cb) {
            if (typeof cb === 'function') cb(null)
        }
        getPromise() {
            return Promise.resolve()
        }
    }

    class Config {
        constructor(options) {
            copyOptions(this, options)
        }
        update(options) {
            copyOptions(this, options)
        }
    }

    const config = new Config({ region: undefined })

    class Endpoint {
        constructor(endpoint) {
            const s = String(endpoint)
            const withScheme = s.includes('://') ? s : 'https://' + s
            const u = new URL(withScheme)
            this.href = u.href
            this.protocol = u.protocol
            this.host = u.host
            this.hostname = u.hostname
            this.port = u.port
        }
    }

    function effectiveConfig(client) {
        const c = {}
        for (const k of Object.keys(config)) c[k] = config[k]
        for (const k of Object.keys(client.config)) c[k] = client.config[k]
        if (c.credentials && c.credentials.accessKeyId && !c.accessKeyId) {
            c.accessKeyId = c.credentials.accessKeyId
            c.secretAccessKey = c.credentials.secretAccessKey
            c.sessionToken = c.credentials.sessionToken
        }
        return c
    }

    class Request {
        constructor(client, operation, params) {
            this.service = client
            this.operation = operation
            this.params = params || {}
            this._result = null
        }
        _run() {
            if (!this._result) {
                this._result = new Promise((resolve, reject) => {
                    host.call(this.operation, effectiveConfig(this.service), this.params, (err, data) => {
                        if (err) reject(err)
                        else resolve(data)
                    })
                })
            }
            return this._result
        }
        send(callback) {
            this._run().then(
                (data) => {
                    if (typeof callback === 'function') callback.call(this, null, data)
                },
                (err) => {
                    if (typeof callback === 'function') callback.call(this, err, null)
                }
            )
        }
        promise() {
            return this._run()
        }
        abort() {
            return this
        }
        on() {
            return this
        }
    }

    class S3 {
        constructor(options) {
            this.config = new Config(options)
            if (this.config.endpoint) {
                this.endpoint = new Endpoint(this.config.endpoint)
            }
        }
        upload(params, options, callback) {
            if (typeof options === 'function') {
                callback = options
                options = undefined
            }
            const req = new Request(this, 'upload', params)
            if (typeof callback === 'function') req.send(callback)
            return req
        }
    }
    for (const name of supported) {
        if (name === 'upload') continue
        S3.prototype[name] = function (params, callback) {
            if (typeof params === 'function') {
                callback = params
                params = {}
            }
            const req = new Request(this, name, params)
            if (typeof callback === 'function') req.send(callback)
            return req
        }
    }
    for (const name of refused) {
        S3.prototype[name] = function () {
            throw new TypeError(
                `aws-sdk: S3.${name} is not supported by hogpipe (supported: ${supported.join(', ')})`
            )
        }
    }
    S3.ManagedUpload = Request

    exports.S3 = S3
    exports.Credentials = Credentials
    exports.Config = Config
    exports.Endpoint = Endpoint
    exports.config = config
    exports.VERSION = '2.1692.0'
    // A service the host does not serve (new AWS.DynamoDB()) fails with a
    // TypeError naming it rather than "is not a constructor".
    module.exports = new Proxy(exports, {
        get(target, prop) {
            if (prop in target || typeof prop !== 'string' || !/^[A-Z]/.test(prop)) return target[prop]
            throw new TypeError(`aws-sdk: ${prop} is not supported by hogpipe (supported: S3, Credentials, Config, config)`)
        },
    })
})
