package stream

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/events"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/node/util"
	"github.com/hogpipe/hogpipe/internal/web/globals"
)

// TestModuleStream checks the stream classes against Node 20.
// The expected values are what Node 20 returns for the same snippets.
func TestModuleStream(t *testing.T) {
	newEnv(t).Run(t, []nodetest.Case{
		{"exports", `(() => { const s = require('stream'); return [typeof s, s.Stream === s, typeof s.PassThrough, typeof s.Readable, typeof s.Writable, typeof s.Transform, typeof s.Duplex, typeof s.pipeline, typeof s.finished, typeof s.promises.pipeline].join() })()`, "function,true,function,function,function,function,function,function,function,function"},
		{"passthrough events", `new Promise((resolve) => { const { PassThrough } = require('stream'); const p = new PassThrough(); const log = []; p.on('data', (c) => log.push('data:' + c.toString())); p.on('end', () => { log.push('end'); resolve(log.join(' ')) }); p.on('finish', () => log.push('finish')); p.write('a'); p.write(Buffer.from('b')); p.end('c'); })`, "data:a data:b data:c end"},
		{"write returns true", `(() => { const { PassThrough } = require('stream'); const p = new PassThrough(); return String(p.write('x')) })()`, "true"},
		{"end callback and flags", `new Promise((resolve) => { const { PassThrough } = require('stream'); const p = new PassThrough(); p.resume(); p.end('x', () => resolve([p.writableEnded, p.writableFinished].join())); })`, "true,true"},
		{"pipe", `new Promise((resolve) => { const { PassThrough, Writable } = require('stream'); const src = new PassThrough(); const got = []; const dst = new Writable({ write(chunk, enc, cb) { got.push(chunk.toString()); cb() } }); dst.on('finish', () => resolve(got.join('+'))); src.pipe(dst); src.write('1'); src.write('2'); src.end(); })`, "1+2"},
		{"read all into buffer", `new Promise((resolve) => { const { PassThrough } = require('stream'); const p = new PassThrough(); const chunks = []; p.on('data', (c) => chunks.push(c)); p.on('end', () => resolve(Buffer.concat(chunks).toString('base64'))); p.end(Buffer.from([1, 2, 3])); })`, "AQID"},
		{"setEncoding", `new Promise((resolve) => { const { PassThrough } = require('stream'); const p = new PassThrough(); p.setEncoding('utf8'); p.on('data', (c) => resolve(typeof c + ':' + c)); p.write('hé'); })`, "string:hé"},
		{"readable from array", `new Promise((resolve) => { const { Readable } = require('stream'); const out = []; Readable.from(['a', 'b', 'c']).on('data', (c) => out.push(c)).on('end', () => resolve(out.join(''))); })`, "abc"},
		{"custom readable", `new Promise((resolve) => { const { Readable } = require('stream'); let i = 0; const r = new Readable({ read() { this.push(i < 3 ? String(i++) : null) } }); const out = []; r.on('data', (c) => out.push(c.toString())); r.on('end', () => resolve(out.join(','))); })`, "0,1,2"},
		{"transform upper", `new Promise((resolve) => { const { Transform } = require('stream'); const t = new Transform({ transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()) } }); const out = []; t.on('data', (c) => out.push(c.toString())); t.on('end', () => resolve(out.join(''))); t.write('ab'); t.end('cd'); })`, "ABCD"},
		{"object mode", `new Promise((resolve) => { const { PassThrough } = require('stream'); const p = new PassThrough({ objectMode: true }); const out = []; p.on('data', (o) => out.push(o.n)); p.on('end', () => resolve(out.join())); p.write({ n: 1 }); p.end({ n: 2 }); })`, "1,2"},
		{"pipeline callback", `new Promise((resolve) => { const { PassThrough, Writable, pipeline } = require('stream'); const a = new PassThrough(); const got = []; const w = new Writable({ write(c, e, cb) { got.push(c.toString()); cb() } }); pipeline(a, new PassThrough(), w, (err) => resolve(String(err) + ':' + got.join(''))); a.end('xyz'); })`, "undefined:xyz"},
		{"promises.pipeline", `(async () => { const { PassThrough, Writable, promises } = require('stream'); const a = new PassThrough(); let got = ''; const w = new Writable({ write(c, e, cb) { got += c; cb() } }); setTimeout(() => a.end('done'), 1); await promises.pipeline(a, w); return got })()`, "done"},
		{"write after end", `new Promise((resolve) => { const { PassThrough } = require('stream'); const p = new PassThrough(); p.on('error', (e) => resolve(e.code + ': ' + e.message)); p.end(); p.write('x'); })`, "ERR_STREAM_WRITE_AFTER_END: write after end"},
		{"destroy with error", `new Promise((resolve) => { const { PassThrough } = require('stream'); const p = new PassThrough(); const log = []; p.on('error', (e) => log.push('error:' + e.message)); p.on('close', () => { log.push('close'); resolve(log.join(' ') + ' ' + p.destroyed) }); p.destroy(new Error('x')); })`, "error:x close true"},
		{"writable final", `new Promise((resolve) => { const { Writable } = require('stream'); const log = []; const w = new Writable({ write(c, e, cb) { log.push('w' + c); cb() }, final(cb) { log.push('final'); cb() } }); w.on('finish', () => resolve(log.join(' '))); w.write('1'); w.end('2'); })`, "w1 w2 final"},
		{"async iterator", `(async () => { const { PassThrough } = require('stream'); const p = new PassThrough(); setTimeout(() => { p.write('a'); p.end('b') }, 1); const it = p[Symbol.asyncIterator](); const out = []; for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value.toString()); return out.join('') })()`, "ab"},
		{"finished", `new Promise((resolve) => { const { PassThrough, finished } = require('stream'); const p = new PassThrough(); finished(p, (err) => resolve('finished ' + err)); p.resume(); p.end('x'); })`, "finished undefined"},
	})
}

func newEnv(t *testing.T) *nodetest.Env {
	return nodetest.New(t, nodetest.Modules(Module(), events.Module(), util.Module(), buffer.Module()),
		nodetest.Globals(buffer.Global(), globals.Core()))
}
