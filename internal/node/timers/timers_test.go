package timers

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestModuleTimers checks timers against Node 20: the expected values are
// what Node 20 returns for the same snippets.
func TestModuleTimers(t *testing.T) {
	nodetest.New(t, nodetest.Modules(Module(), PromisesModule())).Run(t, []nodetest.Case{
		{"same as globals", `[require('timers').setTimeout === setTimeout, require('timers').clearTimeout === clearTimeout, require('timers').setImmediate === setImmediate].join(',')`, "true,true,true"},
		{"clearTimeout", `new Promise((resolve) => { const t = require('timers'); const id = t.setTimeout(() => resolve('fired'), 1); t.clearTimeout(id); t.setTimeout(() => resolve('cleared'), 5) })`, "cleared"},
		{"promises setTimeout value", `require('timers/promises').setTimeout(1, 'v')`, "v"},
		{"promises same object", `String(require('timers/promises') === require('timers').promises)`, "true"},
		{"promises setImmediate", `require('timers/promises').setImmediate('now')`, "now"},
		{"promises scheduler.wait", `require('timers/promises').scheduler.wait(1).then((v) => String(v))`, "undefined"},
	})
}
