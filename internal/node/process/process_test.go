package process

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestGlobalProcess checks process against Node 20 on linux/x64: the
// expected values are what Node 20 returns for the same snippets there,
// except where a case says hogpipe differs on purpose.
func TestGlobalProcess(t *testing.T) {
	env := nodetest.New(t, nodetest.Globals(Global()))
	env.Run(t, []nodetest.Case{
		{"typeof", `typeof process`, "object"},
		{"platform", `JSON.stringify([process.platform, process.arch, process.release.name, process.title, typeof process.version, typeof process.versions.node])`, `["linux","x64","node","node","string","string"]`},
		{"version matches versions", `process.version === 'v' + process.versions.node && /^v20\.\d+\.\d+$/.test(process.version)`, "true"},
		{"browser", `String(process.browser)`, "undefined"},
		{"nextTick order", `new Promise((resolve) => { const log = []; process.nextTick(() => { log.push('t1'); process.nextTick(() => log.push('t3')); Promise.resolve().then(() => log.push('p3')) }); Promise.resolve().then(() => { log.push('p2'); process.nextTick(() => log.push('t4')) }); process.nextTick((a, b) => log.push('t2' + a + b), 'x', 'y'); log.push('sync'); setTimeout(() => resolve(log.join(' ')), 1) })`, "sync t1 t2xy t3 p2 p3 t4"},
		{"nextTick before timers", `new Promise((resolve) => { const log = []; setTimeout(() => { log.push('timer'); resolve(log.join(' ')) }, 0); process.nextTick(() => log.push('tick')) })`, "tick timer"},
		{"nextTick returns", `String(process.nextTick(() => {}))`, "undefined"},
		{"nextTick no callback", `(() => { try { process.nextTick() } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, `TypeError ERR_INVALID_ARG_TYPE: The "callback" argument must be of type function. Received undefined`},
		{"nextTick number", `(() => { try { process.nextTick(5) } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, `TypeError ERR_INVALID_ARG_TYPE: The "callback" argument must be of type function. Received type number (5)`},
		{"hrtime shape", `(() => { const t = process.hrtime(); return [t.length, Number.isInteger(t[0]), Number.isInteger(t[1]), t[1] >= 0 && t[1] < 1e9].join() })()`, "2,true,true,true"},
		{"hrtime diff", `(() => { const a = process.hrtime(); const d = process.hrtime(a); return [d.length, d[0] >= 0, d[1] >= 0 && d[1] < 1e9].join() })()`, "2,true,true"},
		{"hrtime borrow", `(() => { const now = process.hrtime(); const d = process.hrtime([now[0] - 1, 999999999]); return d[0] >= 0 && d[1] >= 0 && d[1] < 1e9 })()`, "true"},
		{"hrtime not array", `(() => { try { process.hrtime('ab') } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, `TypeError ERR_INVALID_ARG_TYPE: The "time" argument must be an instance of Array. Received type string ('ab')`},
		{"hrtime wrong length", `(() => { try { process.hrtime([1, 2, 3]) } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, `RangeError ERR_OUT_OF_RANGE: The value of "time" is out of range. It must be 2. Received 3`},
		{"hrtime.bigint", `(() => { const a = process.hrtime.bigint(); const b = process.hrtime.bigint(); return typeof a + ' ' + (b >= a) })()`, "bigint true"},
		{"uptime", `typeof process.uptime() + ' ' + (process.uptime() >= 0)`, "number true"},
		{"emitWarning not string", `(() => { try { process.emitWarning(5) } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, `TypeError ERR_INVALID_ARG_TYPE: The "warning" argument must be of type string or an instance of Error. Received type number (5)`},
		{"emitWarning event", `new Promise((resolve) => { const got = []; process.emitWarning('careful'); process.emitWarning('old', 'DeprecationWarning', 'DEP0001'); process.emitWarning('x', { type: 'MyWarning', code: 'C1' }); process.on('warning', (w) => { got.push([w.name, w.message, w.code].join('/')); if (got.length === 3) resolve(got.join(' ')) }) })`, "Warning/careful/ DeprecationWarning/old/DEP0001 MyWarning/x/C1"},
		{"once", `(() => { let n = 0; process.once('custom', () => n++); process.emit('custom'); process.emit('custom'); return n + ' ' + process.listenerCount('custom') })()`, "1 0"},
		{"on returns process", `String(process.on('custom2', () => {}) === process)`, "true"},
		{"emit without listeners", `String(process.emit('nobody'))`, "false"},
	})
}

// TestGlobalProcessHogpipe checks what hogpipe gives where Node would show
// or act on the host's process.
func TestGlobalProcessHogpipe(t *testing.T) {
	env := nodetest.New(t, nodetest.Globals(Global()))
	env.Run(t, []nodetest.Case{
		{"env", `JSON.stringify(process.env)`, `{"NODE_ENV":"production"}`},
		{"argv", `JSON.stringify([process.argv, process.execArgv, process.cwd()])`, `[["node"],[],"/"]`},
		{"exit refused", `(() => { try { process.exit(1) } catch (e) { return e.name + ': ' + e.message } })()`, "TypeError: process.exit is not supported by hogpipe (a plugin does not control the host's process)"},
		{"kill refused", `(() => { try { process.kill(1) } catch (e) { return e.name + ': ' + e.message } })()`, "TypeError: process.kill is not supported by hogpipe (a plugin does not control the host's process)"},
		// Node gives "t1 p1": every tick runs before any promise job; here
		// a promise job queued before the first tick runs first (see the
		// package comment).
		{"promise job queued first", `new Promise((resolve) => { const log = []; Promise.resolve().then(() => log.push('p1')); process.nextTick(() => log.push('t1')); setTimeout(() => resolve(log.join(' ')), 1) })`, "p1 t1"},
		{"warning logged", `(() => { const seen = []; globalThis.console = { warn: (m) => seen.push(m) }; process.emitWarning('careful'); process.emitWarning('old', 'DeprecationWarning', 'DEP0001'); return seen.join(' | ') })()`, "Warning: careful | [DEP0001] DeprecationWarning: old"},
	})
}

// TestNextTickThrows: a tick that throws is reported and the next ones
// still run.
func TestNextTickThrows(t *testing.T) {
	env := nodetest.New(t, nodetest.Globals(Global()))
	got := env.Eval(`new Promise((resolve) => { process.nextTick(() => { throw new Error('boom') }); process.nextTick(() => resolve('after')) })`)
	assert.Equal(t, "after", got)
	if reported := env.Reported(); assert.Len(t, reported, 1) {
		assert.Contains(t, reported[0].Error(), "process.nextTick callback: Error: boom")
	}
}
