package events

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/node/util"
)

// TestModuleEvents checks EventEmitter against Node 20.
// The expected values are what Node 20 returns for the same snippets.
func TestModuleEvents(t *testing.T) {
	newEnv(t).Run(t, []nodetest.Case{
		{"default export is class", `(() => { const EE = require('events'); return [typeof EE, EE === EE.EventEmitter, new EE() instanceof EE].join() })()`, "function,true,true"},
		{"on emit order", `(() => { const EE = require('events'); const e = new EE(); const log = []; e.on('x', (a, b) => log.push('1' + a + b)); e.on('x', () => log.push('2')); e.prependListener('x', () => log.push('0')); return [e.emit('x', 'a', 'b'), e.emit('y'), log.join(' ')].join() })()`, "true,false,0 1ab 2"},
		{"once", `(() => { const EE = require('events'); const e = new EE(); let n = 0; e.once('x', () => n++); e.emit('x'); e.emit('x'); return [n, e.listenerCount('x')].join() })()`, "1,0"},
		{"off and removeListener", `(() => { const EE = require('events'); const e = new EE(); const f = () => {}; e.on('x', f); e.on('x', f); e.off('x', f); const a = e.listenerCount('x'); e.removeListener('x', f); return [a, e.listenerCount('x'), e.eventNames().length].join() })()`, "1,0,0"},
		{"remove once listener by original", `(() => { const EE = require('events'); const e = new EE(); const f = () => {}; e.once('x', f); const l = e.listeners('x')[0] === f; const raw = e.rawListeners('x')[0] !== f; e.removeListener('x', f); return [l, raw, e.listenerCount('x')].join() })()`, "true,true,0"},
		{"removeAllListeners", `(() => { const EE = require('events'); const e = new EE(); e.on('a', () => {}); e.on('b', () => {}); e.removeAllListeners('a'); const n = e.eventNames().join(); e.removeAllListeners(); return n + '|' + e.eventNames().length })()`, "b|0"},
		{"newListener and removeListener events", `(() => { const EE = require('events'); const e = new EE(); const log = []; e.on('newListener', (n) => log.push('new:' + n)); e.on('removeListener', (n) => log.push('rm:' + n)); const f = () => {}; e.on('x', f); e.off('x', f); return log.join(' ') })()`, "new:removeListener new:x rm:x"},
		{"error without listener throws it", `(() => { const EE = require('events'); const e = new EE(); try { e.emit('error', new Error('boom')) } catch (err) { return err.message } })()`, "boom"},
		{"error non-Error", `(() => { const EE = require('events'); const e = new EE(); try { e.emit('error', 'bad') } catch (err) { return err.code + ': ' + err.message } })()`, "ERR_UNHANDLED_ERROR: Unhandled error. ('bad')"},
		{"this is emitter", `(() => { const EE = require('events'); const e = new EE(); let self; e.on('x', function () { self = this }); e.emit('x'); return String(self === e) })()`, "true"},
		{"class extends", `(() => { const { EventEmitter } = require('events'); class My extends EventEmitter { fire() { this.emit('f', 1) } } const m = new My(); let got; m.on('f', (v) => got = v); m.fire(); return [got, m instanceof EventEmitter].join() })()`, "1,true"},
		{"util.inherits", `(() => { const EE = require('events'); const util = require('util'); function Old() { EE.call(this) } util.inherits(Old, EE); const o = new Old(); let got = 0; o.on('x', () => got++); o.emit('x'); return [got, Old.super_ === EE].join() })()`, "1,true"},
		{"listener count static and max", `(() => { const EE = require('events'); const e = new EE(); e.on('x', () => {}); return [EE.listenerCount(e, 'x'), e.getMaxListeners(), EE.defaultMaxListeners, e.setMaxListeners(3).getMaxListeners()].join() })()`, "1,10,10,3"},
		{"bad listener", `(() => { const EE = require('events'); try { new EE().on('x', 5) } catch (e) { return e.code + ': ' + e.message } })()`, "ERR_INVALID_ARG_TYPE: The \"listener\" argument must be of type function. Received type number (5)"},
		{"events.once", `(async () => { const EE = require('events'); const e = new EE(); setTimeout(() => e.emit('ready', 1, 2), 1); const args = await EE.once(e, 'ready'); return args.join() })()`, "1,2"},
		{"events.once rejects", `(async () => { const EE = require('events'); const e = new EE(); setTimeout(() => e.emit('error', new Error('nope')), 1); try { await EE.once(e, 'ready') } catch (err) { return err.message } })()`, "nope"},
	})
}

func newEnv(t *testing.T) *nodetest.Env {
	return nodetest.New(t, nodetest.Modules(Module(), util.Module()))
}
