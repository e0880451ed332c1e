// @google-cloud/bigquery, the part export plugins use: datasets and tables
// by id, table metadata, createTable and streaming inserts (insertAll), on
// BigQuery's REST API. Requests run in Go (host.common.call); this file
// gives them the SDK's shapes: [metadata, apiResponse] arrays, callbacks,
// ApiError and PartialFailureError.
(function (module, exports, require, host) {
    'use strict'
    const pkg = '@google-cloud/bigquery'
    const { ApiError, PartialFailureError, call, withCallback, refuse, endpoint, serviceAccount } = host.common

    const noProjectId = 'Unable to detect a Project Id in the current environment. \n' +
        'To learn more about authentication and Google APIs, visit: \n' +
        'https://cloud.google.com/docs/authentication/getting-started'

    // formatMetadata reads table metadata as the SDK does: a schema as a
    // "name:type,…" string or an array of fields, name for friendlyName,
    // partitioning for timePartitioning.
    function formatMetadata(options) {
        const body = JSON.parse(JSON.stringify(options || {}))
        if (body.name) {
            body.friendlyName = body.name
            delete body.name
        }
        if (typeof options.schema === 'string') {
            body.schema = {
                fields: options.schema.split(/\s*,\s*/).map((s) => {
                    const [name, type] = s.split(':').map((x) => x.trim())
                    return { name, type: (type || 'STRING').toUpperCase() }
                }),
            }
        } else if (Array.isArray(options.schema)) {
            body.schema = { fields: body.schema }
        }
        if (body.schema && Array.isArray(body.schema.fields)) {
            body.schema.fields = body.schema.fields.map((f) => {
                if (f && f.fields) f.type = 'RECORD'
                return f
            })
        }
        if (typeof options.partitioning === 'string') {
            body.timePartitioning = { type: options.partitioning.toUpperCase() }
            delete body.partitioning
        }
        if (typeof options.view === 'string') {
            body.view = { query: options.view, useLegacySql: false }
        }
        return body
    }

    // encodeValue turns a row's values into JSON as the SDK sends them:
    // Buffers as base64, Dates as ISO strings, undefined as null.
    function encodeValue(value) {
        if (value === undefined || value === null) return null
        if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
        if (value instanceof Date) return value.toJSON()
        if (Array.isArray(value)) return value.map(encodeValue)
        if (typeof value === 'object') {
            if (value.constructor && /^BigQuery/.test(value.constructor.name) && 'value' in value) return value.value
            const out = {}
            for (const k of Object.keys(value)) out[k] = encodeValue(value[k])
            return out
        }
        return value
    }

    function path(s) {
        return encodeURIComponent(String(s))
    }

    function json(body) {
        return { body: JSON.stringify(body), contentType: 'application/json' }
    }

    // BigQueryTimestamp is a TIMESTAMP value for a row: from a Date, a
    // date string, or seconds since the epoch; rows carry its value.
    class BigQueryTimestamp {
        constructor(value) {
            let d
            if (value instanceof Date) d = value
            else if (typeof value === 'string' && /^\d{4}-\d{1,2}-\d{1,2}/.test(value)) d = new Date(value)
            else d = new Date(Number.parseFloat(value) * 1000)
            if (Number.isNaN(d.getTime())) throw new TypeError(`${pkg}: invalid timestamp: ${value}`)
            this.value = d.toJSON()
        }
    }

    class BigQuery {
        constructor(options) {
            options = options || {}
            const account = serviceAccount(options, 'BigQuery')
            // Not enumerable: console.log or JSON.stringify of a client
            // must not print the private key.
            Object.defineProperty(this, '_credentials', { value: account.credentials })
            this.projectId = account.projectId
            this.location = options.location
            this.baseUrl = endpoint(options.apiEndpoint, 'https://bigquery.googleapis.com') + '/bigquery/v2'
        }
        dataset(id, options) {
            if (!id) throw new TypeError('A dataset ID is required.')
            return new Dataset(this, id, options)
        }
        static timestamp(value) {
            return new BigQueryTimestamp(value)
        }
        timestamp(value) {
            return new BigQueryTimestamp(value)
        }
        _request(what, projectId, options) {
            if (!projectId) return Promise.reject(new Error(noProjectId))
            return call(what, Object.assign({ credentials: this._credentials }, options))
        }
    }

    class Dataset {
        constructor(bigQuery, id, options) {
            options = options || {}
            this.bigQuery = bigQuery
            this.id = String(id)
            this.projectId = options.projectId || bigQuery.projectId
            this.location = options.location || bigQuery.location
            this.metadata = {}
        }
        get _url() {
            return `${this.bigQuery.baseUrl}/projects/${path(this.projectId)}/datasets/${path(this.id)}`
        }
        table(id, options) {
            if (!id) throw new TypeError('A table ID is required.')
            return new Table(this, id, options)
        }
        getMetadata(cb) {
            const p = this.bigQuery._request('Dataset.getMetadata', this.projectId, { method: 'GET', url: this._url })
                .then(([md, response]) => {
                    this.metadata = md
                    return [md, response]
                })
            return withCallback(p, cb)
        }
        exists(cb) {
            return withCallback(exists(this.getMetadata()), cb)
        }
        get(options, cb) {
            return withCallback(getSelf(this, options), typeof options === 'function' ? options : cb)
        }
        createTable(id, options, cb) {
            if (typeof options === 'function') {
                cb = options
                options = {}
            }
            const body = formatMetadata(options || {})
            body.tableReference = { datasetId: this.id, projectId: this.projectId, tableId: String(id) }
            const p = this.bigQuery._request('Dataset.createTable', this.projectId,
                Object.assign({ method: 'POST', url: this._url + '/tables' }, json(body)))
                .then(([md]) => {
                    const table = this.table(md.tableReference ? md.tableReference.tableId : id, { location: md.location })
                    table.metadata = md
                    return [table, md]
                })
            return withCallback(p, cb)
        }
    }

    // getSelf is get(): the object itself once its metadata is read.
    // autoCreate is not served.
    function getSelf(obj, options) {
        if (options && typeof options === 'object' && options.autoCreate) {
            return Promise.reject(new TypeError(`${pkg}: ${obj.constructor.name}.get's autoCreate option is not supported by hogpipe; create it with ${obj instanceof Table ? 'dataset.createTable' : 'the console'}`))
        }
        return obj.getMetadata().then(([, response]) => [obj, response])
    }

    function exists(metadata) {
        return metadata.then(() => [true], (err) => {
            if (err instanceof ApiError && err.code === 404) return [false]
            throw err
        })
    }

    class Table {
        constructor(dataset, id, options) {
            options = options || {}
            this.dataset = dataset
            this.bigQuery = dataset.bigQuery
            this.id = String(id)
            this.location = options.location || dataset.location
            this.metadata = {}
        }
        get _url() {
            return `${this.dataset._url}/tables/${path(this.id)}`
        }
        _request(what, options) {
            return this.bigQuery._request(what, this.dataset.projectId, options)
        }
        getMetadata(cb) {
            const p = this._request('Table.getMetadata', { method: 'GET', url: this._url }).then(([md, response]) => {
                this.metadata = md
                return [md, response]
            })
            return withCallback(p, cb)
        }
        setMetadata(metadata, cb) {
            const p = this._request('Table.setMetadata', Object.assign({ method: 'PATCH', url: this._url }, json(formatMetadata(metadata || {}))))
                .then(([md]) => {
                    this.metadata = md
                    return [md]
                })
            return withCallback(p, cb)
        }
        exists(cb) {
            return withCallback(exists(this.getMetadata()), cb)
        }
        get(options, cb) {
            return withCallback(getSelf(this, options), typeof options === 'function' ? options : cb)
        }
        insert(rows, options, cb) {
            if (typeof options === 'function') {
                cb = options
                options = {}
            }
            options = Object.assign({}, options || {})
            const p = (async () => {
                rows = Array.isArray(rows) ? rows : [rows]
                if (rows.length === 0) throw new Error('You must provide at least 1 row to be inserted.')
                if (options.schema !== undefined) {
                    throw new TypeError(`${pkg}: Table.insert's schema option (create the table on insert) is not supported by hogpipe; create it with dataset.createTable`)
                }
                const raw = options.raw
                const createInsertId = options.createInsertId
                delete options.raw
                delete options.createInsertId
                delete options.partialRetries
                const sent = raw ? rows : rows.map((row) => {
                    const r = { json: encodeValue(row) }
                    if (createInsertId !== false) r.insertId = host.uuid()
                    return r
                })
                const [resp] = await this._request('Table.insert',
                    Object.assign({ method: 'POST', url: this._url + '/insertAll' }, json(Object.assign({}, options, { rows: sent }))))
                const failures = (resp.insertErrors || []).map((ie) => ({
                    errors: (ie.errors || []).map((e) => ({ message: e.message, reason: e.reason })),
                    row: sent[ie.index],
                }))
                if (failures.length > 0) throw new PartialFailureError({ errors: failures, response: resp })
                return [resp]
            })()
            return withCallback(p, cb)
        }
    }

    const supported = {
        BigQuery: ['dataset', 'timestamp'],
        Dataset: ['table', 'createTable', 'get', 'getMetadata', 'exists'],
        Table: ['get', 'getMetadata', 'setMetadata', 'insert', 'exists'],
    }
    refuse(BigQuery, ['query', 'createQueryJob', 'createQueryStream', 'createJob', 'job', 'createDataset',
        'getDatasets', 'getDatasetsStream', 'getJobs', 'getJobsStream', 'getProjectId'], supported.BigQuery)
    refuse(Dataset, ['create', 'delete', 'setMetadata', 'getTables', 'getTablesStream', 'query',
        'createQueryJob', 'createQueryStream', 'model', 'getModels', 'routine', 'getRoutines', 'createRoutine'], supported.Dataset)
    refuse(Table, ['create', 'delete', 'query', 'createQueryJob', 'createQueryStream', 'createReadStream',
        'createWriteStream', 'createInsertStream', 'load', 'createLoadJob', 'copy', 'copyFrom', 'createCopyJob',
        'createCopyFromJob', 'extract', 'createExtractJob', 'getRows', 'getIamPolicy', 'setIamPolicy',
        'testIamPermissions'], supported.Table)

    exports.BigQuery = BigQuery
    exports.Dataset = Dataset
    exports.Table = Table
    exports.BigQueryTimestamp = BigQueryTimestamp
    // Other classes of the package (Job, Model, BigQueryDate, …) fail with
    // a TypeError naming them rather than "is not a constructor".
    module.exports = new Proxy(exports, {
        get(target, prop) {
            if (prop in target || typeof prop !== 'string' || !/^[A-Z]/.test(prop)) return target[prop]
            throw new TypeError(`${pkg}: ${prop} is not supported by hogpipe (supported: BigQuery, Dataset, Table, BigQueryTimestamp)`)
        },
    })
})
