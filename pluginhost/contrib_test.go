package pluginhost

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestModuleContrib checks createBuffer against the real @posthog/plugin-contrib 0.0.5 run in Node 20.
// The expected values are what Node 20 returns for the same snippets.
func TestModuleContrib(t *testing.T) {
	nodetest.New(t, nodetest.Modules(contribModule())).Run(t, []nodetest.Case{
		{"size limit flushes", `(async () => { const { createBuffer } = require('@posthog/plugin-contrib'); const flushed = []; const b = createBuffer({ limit: 3, timeoutSeconds: 60, onFlush: (objs, points) => { flushed.push(objs.join('') + ':' + points) } }); b.add('a'); b.add('b'); b.add('c'); const before = flushed.length; b.add('d'); b.add('e', 5); await b.flush(); return [before, flushed.join(' '), b._buffer.length, b._points, b._timeout].join('|') })()`, "0|abc:3 d:1 e:5|0|0|"},
		{"over limit single", `(async () => { const { createBuffer } = require('@posthog/plugin-contrib'); const flushed = []; const b = createBuffer({ limit: 10, onFlush: async (objs, points) => { flushed.push(points) } }); b.add({}, 11); await new Promise((r) => setTimeout(r, 1)); return [flushed.join(), b._points, b._timeout].join('|') })()`, "11|0|"},
		{"defaults", `(() => { const { createBuffer } = require('@posthog/plugin-contrib'); const b = createBuffer({}); return [b._options.limit, b._options.timeoutSeconds, typeof b.add, typeof b.flush, Array.isArray(b._buffer)].join() })()`, "10,60,function,function,true"},
		{"timeout flushes", `new Promise((resolve) => { const { createBuffer } = require('@posthog/plugin-contrib'); const start = Date.now(); const b = createBuffer({ limit: 100, timeoutSeconds: 0.02, onFlush: (objs, points) => resolve([objs.join(''), points, Date.now() - start >= 15].join()) }); b.add('x'); b.add('y'); })`, "xy,2,true"},
		{"flush empty", `(async () => { const { createBuffer } = require('@posthog/plugin-contrib'); let n = 0; const b = createBuffer({ onFlush: () => { n++ } }); await b.flush(); return String(n) })()`, "0"},
		{"esModule default import shape", `(() => { const m = require('@posthog/plugin-contrib'); return [m.__esModule, typeof m.createBuffer].join() })()`, "true,function"},
	})
}
