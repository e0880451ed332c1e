#!/usr/bin/env node
// hogpipe's Node.js harness: runs a PostHog plugin in plain Node.js, the way
// the original plugin server hosted it, on the events of a fixture, and
// prints what became of each event. Its output is committed as the fixture's
// expected.jsonl (scripts/record-expected.sh), and pluginhost's differential
// test checks that hogpipe produces exactly the same lines.
//
//   node nodeharness/harness.js [--plugin DIR] [--var NAME=VALUE]... [--now ISO] FIXTURE_DIR
//   node nodeharness/harness.js --bench EVENT_FILE [--count N] FIXTURE_DIR
//
// FIXTURE_DIR holds events.jsonl (one event per line) and optionally
// fixture.json: {"plugin": folder, "config": {key: value}, "attachments":
// {key: file}, "geoipDatabase": file}. "${NAME}" in config values is
// replaced by the --var of that name (the differential test passes its test
// server's URL). The plugin is --plugin (an extracted npm tarball), else
// fixture.json's "plugin" (relative to FIXTURE_DIR), else FIXTURE_DIR;
// attachments are relative to FIXTURE_DIR, the GeoIP database to the plugin
// folder.
//
// With --bench, the plugin of FIXTURE_DIR instead runs N times (default
// 100000) on the one event in EVENT_FILE in a tight loop on this one thread
// (JSON.parse, processEvent, JSON.stringify: what a Node consumer of bytes
// does), after a warm-up of N/10, and the output is one JSON line
// {"events":N,"seconds":…,"events_per_second":…} (scripts/bench-pipeline.sh).
//
// Output, one JSON line per event in input order, each followed by the
// events the plugin captured while processing it:
//   <the resulting event>                   processEvent returned an event
//   {"dropped":true}                        it returned a falsy value
//   {"error":"Error: …","event":<event>}    it threw or rejected; the event in
//                                           its last state continues
//   {"captured":<event>}                    posthog.capture; "uuid" is "<uuid>"
//
// How the plugin is loaded (the choice this harness makes):
// - Each of the plugin's own files (.ts, .js, …) is transpiled on its own
//   by the `typescript` package's transpileModule as TypeScript (the
//   original ran Babel with filename index.ts, so type annotations work in
//   .js files too), to strict-mode CommonJS with esModuleInterop (Babel's
//   default-import interop).
// - Relative imports are loaded the same way, file by file, through this
//   harness's require. The original allowed none; hogpipe bundles them with
//   esbuild, and the result is the same module graph.
// - Packages from the plugin's node_modules are left to Node's own require
//   (plain JavaScript, not transpiled), like hogpipe's bundle does.
// - Node built-ins (crypto, url, zlib, events, …) are Node's: they win over
//   node_modules copies, as hogpipe's host modules do. node-fetch is the
//   pinned node-fetch 2 (also the global fetch), as in the original;
//   @posthog/plugin-scaffold gives RetryError.
// - Exports are looked up in exports, exports.default, module.exports,
//   module.exports.default (the first that has the name) and, when nothing
//   at all is exported, among the entry file's top-level declarations.
// - meta: config (strings, plugin.json defaults applied, schema order),
//   attachments ({content_type, file_name, contents: Buffer}), global, an
//   in-memory cache with Redis semantics and TTLs, storage, utils.cursor,
//   metrics, jobs (no-ops) and geoip (@maxmind/geoip2-node's City model).
// - Local time is UTC; the default locale is en-US.
'use strict'

process.env.TZ = 'UTC'

const fs = require('fs')
const path = require('path')
const vm = require('vm')
const Module = require('module')

const HARNESS_DIR = __dirname
const EXPORT_NAMES = [
    'setupPlugin', 'teardownPlugin', 'processEvent', 'processEventBatch', 'onEvent',
    'exportEvents', 'runEveryMinute', 'runEveryHour', 'runEveryDay', 'jobs', 'metrics',
    'getSettings', 'composeWebhook',
]
const RESERVED_CONFIG_KEYS = ['exportEventsBufferBytes', 'exportEventsBufferSeconds', 'exportEventsToIgnore']
const MIME_TYPES = { '.json': 'application/json', '.txt': 'text/plain', '.csv': 'text/csv', '.html': 'text/html', '.xml': 'text/xml' }

function fail(message) {
    process.stderr.write(`harness: ${message}\n`)
    process.exit(2)
}

function parseArgs(argv) {
    const args = { vars: {}, now: '2024-01-01T00:00:00.000Z', plugin: null, fixture: null, bench: null, count: 100000 }
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]
        const value = () => {
            if (i + 1 >= argv.length) fail(`${arg} needs a value`)
            return argv[++i]
        }
        if (arg === '--plugin') args.plugin = value()
        else if (arg === '--now') args.now = value()
        else if (arg === '--bench') args.bench = value()
        else if (arg === '--count') {
            args.count = Number(value())
            if (!Number.isInteger(args.count) || args.count <= 0) fail(`--count must be a positive integer`)
        }
        else if (arg === '--var') {
            const [name, ...rest] = value().split('=')
            args.vars[name] = rest.join('=')
        } else if (arg.startsWith('--')) fail(`unknown option ${arg}`)
        else if (args.fixture === null) args.fixture = arg
        else fail(`unexpected argument ${arg}`)
    }
    if (args.fixture === null) fail('usage: harness.js [--plugin DIR] [--var NAME=VALUE]... [--now ISO] FIXTURE_DIR')
    args.fixture = path.resolve(args.fixture)
    if (args.plugin !== null) args.plugin = path.resolve(args.plugin)
    return args
}

function readJSON(file, fallback) {
    if (!fs.existsSync(file)) return fallback
    try {
        return JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (e) {
        fail(`${file}: ${e.message}`)
    }
}

//------------------------------------------------------------------------------
// Loading the code

function harnessRequire(name) {
    try {
        return require(name)
    } catch (e) {
        fail(`${e.message}\n(install the harness's packages: npm ci --prefix ${path.relative(process.cwd(), HARNESS_DIR) || '.'})`)
    }
}

const ts = harnessRequire('typescript')
const nodeFetch = harnessRequire('node-fetch')

class RetryError extends Error {
    constructor(message) {
        super(message)
        this.name = 'RetryError'
    }
}

function entryFile(pluginDir, manifest) {
    if (manifest.main) return path.join(pluginDir, manifest.main)
    const candidates = []
    const pkg = readJSON(path.join(pluginDir, 'package.json'), null)
    if (pkg && typeof pkg.main === 'string' && pkg.main) candidates.push(pkg.main)
    candidates.push('index.js', 'index.ts')
    for (const name of candidates) {
        const file = path.join(pluginDir, name)
        if (fs.existsSync(file) && fs.statSync(file).isFile()) return file
    }
    fail(`no entry file in ${pluginDir}: tried ${candidates.join(', ')}`)
}

function transpile(file) {
    const source = fs.readFileSync(file, 'utf8')
    const ext = path.extname(file)
    const fileName = file.slice(0, file.length - ext.length) + (ext === '.tsx' || ext === '.jsx' ? '.tsx' : '.ts')
    const out = ts.transpileModule(source, {
        fileName,
        reportDiagnostics: true,
        compilerOptions: {
            module: ts.ModuleKind.CommonJS,
            target: ts.ScriptTarget.ES2020,
            esModuleInterop: true,
            alwaysStrict: true,
            jsx: ts.JsxEmit.React,
        },
    })
    const errors = (out.diagnostics || []).filter((d) => d.category === ts.DiagnosticCategory.Error)
    if (errors.length > 0) {
        const d = errors[0]
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
        throw new SyntaxError(`${file}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    }
    return out.outputText
}

const RESOLVE_EXTENSIONS = ['', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.json']

function resolveRelative(fromDir, request) {
    const base = path.resolve(fromDir, request)
    for (const ext of RESOLVE_EXTENSIONS) {
        const file = base + ext
        if (fs.existsSync(file) && fs.statSync(file).isFile()) return file
    }
    for (const index of ['index.ts', 'index.tsx', 'index.js', 'index.json']) {
        const file = path.join(base, index)
        if (fs.existsSync(file)) return file
    }
    throw new Error(`Cannot find module '${request}' from ${fromDir}`)
}

const pluginModules = new Map()

// loadPluginFile runs one of the plugin's own files; for the entry file it
// also returns its top-level declarations of the export names.
function loadPluginFile(file, isEntry) {
    if (pluginModules.has(file)) return pluginModules.get(file)
    if (file.endsWith('.json')) {
        const json = { exports: JSON.parse(fs.readFileSync(file, 'utf8')) }
        pluginModules.set(file, json)
        return json
    }
    const code = transpile(file)
    const tail = isEntry
        ? `\n;return {${EXPORT_NAMES.map((n) => `${n}: typeof ${n} === 'undefined' ? undefined : ${n}`).join(', ')}};`
        : ''
    const wrapper = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}${tail}\n})`, {
        filename: file,
    })
    const module = { exports: {}, topLevel: {} }
    module.initialExports = module.exports
    pluginModules.set(file, module)
    const nodeRequire = Module.createRequire(file)
    const require = (request) => pluginRequire(request, path.dirname(file), nodeRequire)
    module.topLevel = wrapper.call(undefined, module.exports, require, module, file, path.dirname(file)) || {}
    return module
}

function pluginRequire(request, fromDir, nodeRequire) {
    const name = request.startsWith('node:') ? request.slice(5) : request
    if (name === '@posthog/plugin-scaffold') return { RetryError }
    if (name === 'node-fetch') return nodeFetch
    if (name.startsWith('./') || name.startsWith('../') || path.isAbsolute(name)) {
        const file = resolveRelative(fromDir, name)
        if (file.split(path.sep).includes('node_modules')) return nodeRequire(file)
        return loadPluginFile(file, false).exports
    }
    return nodeRequire(name) // a Node built-in, else the plugin's node_modules
}

function findExports(module) {
    const sources = []
    const add = (value) => {
        if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
            sources.push(value)
            const def = value.default
            if (def !== null && (typeof def === 'object' || typeof def === 'function')) sources.push(def)
        }
    }
    add(module.initialExports)
    if (module.exports !== module.initialExports) add(module.exports)
    const exported = sources.some((s) => Object.keys(s).length > 0)
    const lookIn = exported ? sources : [module.topLevel]
    const found = {}
    for (const name of EXPORT_NAMES) {
        for (const src of lookIn) {
            if (src[name] !== undefined && src[name] !== null) {
                found[name] = src[name]
                break
            }
        }
    }
    return found
}

//------------------------------------------------------------------------------
// meta

function configFields(manifest) {
    const config = manifest.config || []
    const fields = Array.isArray(config) ? config : Object.entries(config).map(([key, f]) => ({ ...f, key }))
    return fields.filter((f) => f && f.key && !(f.type === undefined && f.markdown !== undefined))
}

function configString(value) {
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}

function resolveConfig(manifest, given, vars) {
    const substitute = (s) => s.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, name) => (name in vars ? vars[name] : m))
    const config = {}
    for (const field of configFields(manifest)) {
        if (field.type === 'attachment') continue
        let value
        if (given[field.key] !== undefined && given[field.key] !== null) value = configString(given[field.key])
        else if (field.default !== undefined && field.default !== null) value = configString(field.default)
        if (value === undefined || value === '') continue
        config[field.key] = substitute(value)
    }
    for (const key of RESERVED_CONFIG_KEYS) {
        if (given[key] !== undefined && given[key] !== null) config[key] = substitute(configString(given[key]))
    }
    return config
}

function resolveAttachments(fixtureDir, given) {
    const attachments = {}
    for (const [key, file] of Object.entries(given || {})) {
        const full = path.resolve(fixtureDir, file)
        attachments[key] = {
            content_type: MIME_TYPES[path.extname(full).toLowerCase()] || 'application/octet-stream',
            file_name: path.basename(full),
            contents: fs.readFileSync(full),
        }
    }
    return attachments
}

// createCache is Redis as the original used it: string values, TTLs, lists.
function createCache() {
    const store = new Map() // key → {value: string | string[], expires: ms | null}
    const live = (key) => {
        const entry = store.get(key)
        if (entry && entry.expires !== null && entry.expires <= Date.now()) {
            store.delete(key)
            return undefined
        }
        return entry
    }
    const list = (key) => {
        const entry = live(key)
        if (entry === undefined) return null
        if (!Array.isArray(entry.value)) throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value')
        return entry.value
    }
    const range = (length, start, end) => {
        if (start < 0) start = Math.max(length + start, 0)
        if (end < 0) end = length + end
        end = Math.min(end, length - 1)
        return [start, end]
    }
    return {
        async set(key, value, ttlSeconds, options) {
            const json = !options || options.jsonSerialize === undefined || options.jsonSerialize
            const text = json ? JSON.stringify(value) : String(value)
            const ttl = Number(ttlSeconds)
            store.set(key, { value: text === undefined ? 'null' : text, expires: ttl > 0 ? Date.now() + ttl * 1000 : null })
        },
        async get(key, defaultValue, options) {
            const json = !options || options.jsonSerialize === undefined || options.jsonSerialize
            const entry = live(key)
            if (entry === undefined) return defaultValue
            return json ? JSON.parse(entry.value) : entry.value
        },
        async incr(key) {
            const entry = live(key)
            const n = (entry === undefined ? 0 : parseInt(entry.value, 10)) + 1
            store.set(key, { value: String(n), expires: entry ? entry.expires : null })
            return n
        },
        async expire(key, ttlSeconds) {
            const entry = live(key)
            if (entry === undefined) return false
            entry.expires = Date.now() + Number(ttlSeconds) * 1000
            return true
        },
        async lpush(key, elements) {
            const items = (Array.isArray(elements) ? elements : [elements]).map(String)
            if (items.length > 1000) throw new Error(`lpush accepts at most 1000 elements at a time, got ${items.length}`)
            let values = list(key)
            if (values === null) {
                values = []
                store.set(key, { value: values, expires: null })
            }
            for (const item of items) values.unshift(item)
            return values.length
        },
        async lrange(key, start, end) {
            const values = list(key) || []
            const [from, to] = range(values.length, Math.trunc(start), Math.trunc(end))
            return from > to ? [] : values.slice(from, to + 1)
        },
        async llen(key) {
            return (list(key) || []).length
        },
        async lpop(key, count = 1) {
            const values = list(key)
            if (values === null) return []
            const popped = values.splice(0, Math.trunc(count))
            if (values.length === 0) store.delete(key)
            return popped
        },
        async lrem(key, count, element) {
            const values = list(key)
            if (values === null) return 0
            element = String(element)
            count = Math.trunc(count)
            let removed = 0
            const limit = count === 0 ? Infinity : Math.abs(count)
            const indexes = values.map((v, i) => i).filter((i) => values[i] === element)
            const chosen = count < 0 ? indexes.reverse().slice(0, limit) : indexes.slice(0, limit)
            for (const i of chosen.sort((a, b) => b - a)) {
                values.splice(i, 1)
                removed++
            }
            if (values.length === 0) store.delete(key)
            return removed
        },
    }
}

function createStorage() {
    const store = new Map()
    const storage = {
        async get(key, defaultValue) {
            return store.has(key) ? JSON.parse(store.get(key)) : defaultValue
        },
        async set(key, value) {
            if (value === undefined) store.delete(key)
            else store.set(key, JSON.stringify(value))
        },
        async del(key) {
            store.delete(key)
        },
    }
    const cursor = {
        async init(key, initial = 0) {
            if (!store.has(key)) store.set(key, JSON.stringify(Math.trunc(initial)))
        },
        async increment(key, by = 1) {
            const n = (store.has(key) ? Number(JSON.parse(store.get(key))) : 0) + Math.trunc(by)
            store.set(key, JSON.stringify(n))
            return n
        },
    }
    return { storage, cursor }
}

async function createGeoIP(file) {
    const { Reader } = harnessRequire('@maxmind/geoip2-node')
    const reader = await Reader.open(file)
    return {
        async locate(ip) {
            try {
                return reader.city(ip)
            } catch {
                return null
            }
        },
    }
}

function createJobs() {
    return new Proxy(
        {},
        {
            get: () => () => ({ runNow: async () => {}, runIn: async () => {}, runAt: async () => {} }),
        }
    )
}

function createMetrics(declared) {
    const metrics = {}
    for (const name of Object.keys(declared || {})) {
        metrics[name] = { increment() {}, max() {}, min() {} }
    }
    return metrics
}

//------------------------------------------------------------------------------
// Running

async function main() {
    const args = parseArgs(process.argv.slice(2))
    if (new Intl.NumberFormat().resolvedOptions().locale !== 'en-US') {
        fail(`the default locale is ${new Intl.NumberFormat().resolvedOptions().locale}, not en-US: run with LC_ALL=en_US.UTF-8`)
    }
    const fixture = readJSON(path.join(args.fixture, 'fixture.json'), {})
    if (args.plugin === null) args.plugin = path.resolve(args.fixture, fixture.plugin || '.')
    const manifest = readJSON(path.join(args.plugin, 'plugin.json'), null)
    if (manifest === null) fail(`${args.plugin} has no plugin.json`)
    const eventsText = args.bench === null ? fs.readFileSync(path.join(args.fixture, 'events.jsonl'), 'utf8') : ''

    // The plugin's console goes to stderr: stdout is the results.
    const log = (...parts) => process.stderr.write(`[plugin] ${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}\n`)
    for (const level of ['log', 'info', 'warn', 'error', 'debug']) console[level] = log

    let current = null // the event being processed, for posthog.capture
    const captured = []
    globalThis.RetryError = RetryError
    globalThis.fetch = nodeFetch
    globalThis.posthog = {
        async capture(event, properties) {
            if (event === undefined || event === null) throw new Error('posthog.capture: an event name is required')
            const { distinct_id, timestamp, ...rest } = properties && typeof properties === 'object' ? properties : {}
            const out = {
                event: String(event),
                distinct_id: distinct_id === undefined || distinct_id === null ? manifest.name : String(distinct_id),
                properties: { $lib: 'posthog-plugin-server', ...rest },
                timestamp: timestamp === undefined || timestamp === null ? args.now : timestamp,
                uuid: '<uuid>',
            }
            if (current && current.team_id !== undefined && current.team_id !== null) out.team_id = current.team_id
            Object.assign(out, { now: args.now, ip: null, site_url: '' })
            if (current) captured.push(out)
        },
    }

    const module = loadPluginFile(entryFile(args.plugin, manifest), true)
    const exports = findExports(module)
    const { storage, cursor } = createStorage()
    const meta = {
        config: resolveConfig(manifest, fixture.config || {}, args.vars),
        attachments: resolveAttachments(args.fixture, fixture.attachments),
        global: {},
        cache: createCache(),
        storage,
        utils: { cursor },
        jobs: createJobs(),
        metrics: createMetrics(exports.metrics),
    }
    if (fixture.geoipDatabase) meta.geoip = await createGeoIP(path.resolve(args.plugin, fixture.geoipDatabase))

    if (exports.setupPlugin) await exports.setupPlugin(meta)
    if (args.bench !== null) {
        const result = await bench(exports, meta, fs.readFileSync(args.bench, 'utf8').trim(), args.count)
        process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0))
        return
    }
    const lines = []
    for (const line of eventsText.split('\n')) {
        if (line.trim() === '') continue
        const event = JSON.parse(line)
        if (!exports.processEvent || event.event === '$snapshot') {
            lines.push(JSON.stringify(event))
            continue
        }
        current = event
        const teamID = event.team_id
        try {
            const result = await exports.processEvent(event, meta)
            if (!result) {
                lines.push(JSON.stringify({ dropped: true }))
            } else if (typeof result !== 'object' || Array.isArray(result)) {
                lines.push(JSON.stringify({ error: `returned a non-event value`, event }))
            } else if (result.team_id !== teamID) {
                if (teamID === undefined) delete result.team_id
                else result.team_id = teamID
                lines.push(JSON.stringify({ error: 'plugins may not change team_id; the original value was restored', event: result }))
            } else {
                lines.push(JSON.stringify(result))
            }
        } catch (e) {
            lines.push(JSON.stringify({ error: String(e), event }))
        }
        current = null
        for (const c of captured.splice(0)) lines.push(JSON.stringify({ captured: c }))
    }
    if (exports.teardownPlugin) await exports.teardownPlugin(meta)
    process.stdout.write(lines.map((l) => l + '\n').join(''), () => process.exit(0))
}

// bench times processEvent on copies of one event, parsed from and written
// back to text as a consumer of bytes (Kafka, HTTP, files) must.
async function bench(exports, meta, text, count) {
    if (!exports.processEvent) fail('--bench: the plugin has no processEvent')
    let bytes = 0
    const run = async (n) => {
        for (let i = 0; i < n; i++) {
            const result = await exports.processEvent(JSON.parse(text), meta)
            bytes += result ? JSON.stringify(result).length : 0
        }
    }
    await run(Math.max(1, Math.floor(count / 10)))
    bytes = 0
    const start = process.hrtime.bigint()
    await run(count)
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    return { events: count, seconds, events_per_second: Math.round(count / seconds), output_chars: bytes }
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)))
