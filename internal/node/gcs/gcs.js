// @google-cloud/storage, the part export plugins use: storage.bucket(name)
// .file(name).save(data, options), on Cloud Storage's JSON API. The upload
// runs in Go (host.common.call) as one request: a media upload, or a
// multipart one when there is metadata to send.
(function (module, exports, require, host) {
    'use strict'
    const pkg = '@google-cloud/storage'
    const { call, withCallback, refuse, endpoint, serviceAccount } = host.common

    // Content types guessed from the object name when none is given, as
    // the SDK guesses them (a few common extensions).
    const types = {
        json: 'application/json', txt: 'text/plain', csv: 'text/csv', html: 'text/html', xml: 'application/xml',
        js: 'application/javascript', gz: 'application/gzip', zip: 'application/zip', parquet: 'application/octet-stream',
        avro: 'application/octet-stream', png: 'image/png', jpg: 'image/jpeg',
    }

    function guessType(name) {
        const m = /\.([^./]+)$/.exec(name)
        return (m && types[m[1].toLowerCase()]) || undefined
    }

    function compressible(type) {
        return /^text\/|json|javascript|xml|csv/.test(type || '')
    }

    class Storage {
        constructor(options) {
            options = options || {}
            const account = serviceAccount(options, 'Storage')
            // Not enumerable: console.log or JSON.stringify of a client
            // must not print the private key.
            Object.defineProperty(this, '_credentials', { value: account.credentials })
            this.projectId = account.projectId
            this.apiEndpoint = endpoint(options.apiEndpoint, 'https://storage.googleapis.com')
        }
        bucket(name, options) {
            if (!name) throw new Error('A bucket name is needed to use Cloud Storage.')
            return new Bucket(this, name, options)
        }
    }

    class Bucket {
        constructor(storage, name, options) {
            this.storage = storage
            this.name = String(name).replace(/^gs:\/\//, '').replace(/\/+$/, '')
            this.userProject = options && options.userProject
            this.metadata = {}
        }
        file(name, options) {
            if (!name) throw new Error('A file name must be specified.')
            return new File(this, name, options)
        }
    }

    class File {
        constructor(bucket, name, options) {
            this.bucket = bucket
            this.storage = bucket.storage
            this.name = String(name)
            this.generation = options && options.generation
            this.metadata = {}
        }
        save(data, options, cb) {
            if (typeof options === 'function') {
                cb = options
                options = {}
            }
            options = options || {}
            const p = (async () => {
                if (typeof data !== 'string' && !(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) {
                    const e = new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array.')
                    e.code = 'ERR_INVALID_ARG_TYPE'
                    throw e
                }
                const metadata = Object.assign({}, options.metadata || {})
                const contentType = metadata.contentType || options.contentType || guessType(this.name)
                if (contentType) metadata.contentType = contentType
                const gzip = options.gzip === true || (options.gzip === 'auto' && compressible(contentType))
                if (gzip) metadata.contentEncoding = 'gzip'
                const query = new URLSearchParams()
                const withMetadata = Object.keys(metadata).some((k) => k !== 'contentType')
                query.set('uploadType', withMetadata ? 'multipart' : 'media')
                query.set('name', this.name)
                if (options.predefinedAcl) query.set('predefinedAcl', options.predefinedAcl)
                else if (options.public) query.set('predefinedAcl', 'publicRead')
                else if (options.private) query.set('predefinedAcl', 'private')
                if (options.userProject || this.bucket.userProject) query.set('userProject', options.userProject || this.bucket.userProject)
                if (options.kmsKeyName) query.set('kmsKeyName', options.kmsKeyName)
                if (options.preconditionOpts && options.preconditionOpts.ifGenerationMatch !== undefined) {
                    query.set('ifGenerationMatch', String(options.preconditionOpts.ifGenerationMatch))
                }
                const url = `${this.storage.apiEndpoint}/upload/storage/v1/b/${encodeURIComponent(this.bucket.name)}/o?${query}`
                const request = {
                    method: 'POST', url, credentials: this.storage._credentials,
                    body: data instanceof ArrayBuffer ? new Uint8Array(data) : data,
                    contentType: contentType || 'application/octet-stream', gzip,
                }
                if (withMetadata) request.metadata = JSON.stringify(Object.assign({ name: this.name }, metadata))
                const [md] = await call('File.save', request)
                this.metadata = md
                return []
            })()
            return withCallback(p, cb)
        }
    }

    const supported = { Storage: ['bucket'], Bucket: ['file'], File: ['save'] }
    refuse(Storage, ['createBucket', 'getBuckets', 'getBucketsStream', 'getServiceAccount', 'createHmacKey',
        'getHmacKeys', 'hmacKey', 'channel'], supported.Storage)
    refuse(Bucket, ['upload', 'create', 'delete', 'exists', 'get', 'getMetadata', 'setMetadata', 'getFiles',
        'getFilesStream', 'deleteFiles', 'makePublic', 'makePrivate', 'combine', 'setStorageClass', 'addLifecycleRule',
        'notification', 'createNotification', 'getNotifications', 'getSignedUrl'], supported.Bucket)
    refuse(File, ['createWriteStream', 'createReadStream', 'createResumableUpload', 'download', 'delete', 'exists',
        'get', 'getMetadata', 'setMetadata', 'copy', 'move', 'rename', 'getSignedUrl', 'generateSignedPostPolicyV4',
        'makePublic', 'makePrivate', 'publicUrl', 'isPublic', 'setStorageClass'], supported.File)

    exports.Storage = Storage
    exports.Bucket = Bucket
    exports.File = File
    module.exports = new Proxy(exports, {
        get(target, prop) {
            if (prop in target || typeof prop !== 'string' || !/^[A-Z]/.test(prop)) return target[prop]
            throw new TypeError(`${pkg}: ${prop} is not supported by hogpipe (supported: Storage, Bucket, File)`)
        },
    })
})
