package pluginhost

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dop251/goja"
	gojarequire "github.com/dop251/goja_nodejs/require"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/jsloop"
	"github.com/hogpipe/hogpipe/internal/testutil"
)

// moduleTestVM is a VM with the host modules and globals but no plugin
// code, for running snippets with moduleEval.
func moduleTestVM(t testing.TB) *vm {
	t.Helper()
	p := &Plugin{
		manifest: &Manifest{Name: "module-test"},
		modules:  hostModules,
		opts:     Options{Timeout: 10 * time.Second, Now: time.Now, VMs: 1, EventConcurrency: 1},
		log:      &testutil.Logger{T: t},
	}
	v := &vm{
		plugin:    p,
		loop:      jsloop.New(),
		inflight:  make(map[*call]struct{}),
		unhandled: make(map[*goja.Promise]goja.Value),
	}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	done := make(chan error, 1)
	v.loop.Submit(func() {
		v.rt = goja.New()
		v.rt.SetFieldNameMapper(goja.UncapFieldNameMapper())
		v.rt.SetAsyncContextTracker(v)
		v.rt.SetPromiseRejectionTracker(v.trackRejection)
		registry := gojarequire.NewRegistry()
		for name, module := range p.modules {
			if module.loader != nil {
				registry.RegisterNativeModule(name, module.loader(v))
			}
		}
		registry.Enable(v.rt)
		done <- v.installGlobals()
	})
	require.NoError(t, <-done)
	t.Cleanup(func() {
		v.loop.Submit(func() { v.dead = true })
		v.cancel()
		v.loop.Stop()
	})
	return v
}

// moduleEval runs src on v's loop and returns its value as a string; a
// promise is awaited (callbacks scheduled on the loop run meanwhile). A
// thrown error or rejection comes back as "throws: <String(error)>".
func moduleEval(t testing.TB, v *vm, src string) string {
	t.Helper()
	out := make(chan string, 1)
	v.loop.Submit(func() {
		res, err := v.rt.RunString(src)
		if err != nil {
			if ex, ok := err.(*goja.Exception); ok {
				out <- "throws: " + ex.Value().String()
				return
			}
			out <- "throws: " + err.Error()
			return
		}
		if obj, ok := res.(*goja.Object); ok {
			if p, ok := obj.Export().(*goja.Promise); ok {
				then, _ := goja.AssertFunction(obj.Get("then"))
				_, _ = then(obj,
					v.rt.ToValue(func(c goja.FunctionCall) goja.Value { out <- c.Argument(0).String(); return goja.Undefined() }),
					v.rt.ToValue(func(c goja.FunctionCall) goja.Value {
						out <- "throws: " + c.Argument(0).String()
						return goja.Undefined()
					}))
				_ = p
				return
			}
		}
		out <- res.String()
	})
	select {
	case s := <-out:
		return s
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out evaluating %s", src)
		return ""
	}
}

// moduleCase is one snippet and the value Node 20 gives for it.
type moduleCase struct {
	name string
	src  string
	want string
}

func moduleRunCases(t *testing.T, cases []moduleCase) {
	t.Helper()
	v := moduleTestVM(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, moduleEval(t, v, tc.src), "source: %s", tc.src)
		})
	}
}

// TestModuleBuffer checks require('buffer') and the Buffer additions (and
// Number.prototype.toLocaleString from intl.go) against Node 20.
func TestModuleBuffer(t *testing.T) {
	moduleRunCases(t, []moduleCase{
		{"require", `String(require('buffer').Buffer === Buffer)`, "true"},
		{"node prefix", `String(require('node:buffer').Buffer === Buffer)`, "true"},
		{"byteLength", `[Buffer.byteLength('hé'), Buffer.byteLength('aGk=', 'base64'), Buffer.byteLength(Buffer.from('abc'))].join()`, "3,2,3"},
		{"compare", `[Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.compare(Buffer.from('b'), Buffer.from('a')), Buffer.compare(Buffer.from('a'), Buffer.from('a'))].join()`, "-1,1,0"},
		{"isEncoding", `[Buffer.isEncoding('LATIN1'), Buffer.isEncoding('x'), Buffer.isEncoding('utf8')].join()`, "true,false,true"},
		{"isBuffer", `[Buffer.isBuffer(Buffer.from('')), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('x')].join()`, "true,false,false"},
		{"latin1", `Buffer.from('hé', 'latin1').toString('hex') + ' ' + Buffer.from([104, 233]).toString('latin1')`, "68e9 hé"},
		{"base64url", `Buffer.from('aGk-_w', 'base64url').toString('hex') + ' ' + Buffer.from([1, 2, 3]).toString('base64url')`, "68693eff AQID"},
		{"ucs2", `Buffer.from('hi', 'ucs2').toString('hex') + ' ' + Buffer.from([104, 0, 105, 0]).toString('utf16le')`, "68006900 hi"},
		{"ascii", `Buffer.from('héllo').toString('ascii')`, "hC)llo"},
		{"binary with start", `Buffer.from('hé').toString('binary', 1)`, "Ã©"},
		{"utf-8 spelling", `Buffer.from('hé', 'UTF-8').toString('hex')`, "68c3a9"},
		{"allocUnsafe", `Buffer.allocUnsafe(3).length + ''`, "3"},
		{"Number toLocaleString", `[(1234567.891).toLocaleString(), (0.12345).toLocaleString(), (-1234.5).toLocaleString(), NaN.toLocaleString(), (-Infinity).toLocaleString(), (1.0005).toLocaleString(), (-0.0001).toLocaleString(), (1234.5).toLocaleString('en-US', {maximumFractionDigits: 0}), (5).toLocaleString('en-US', {minimumFractionDigits: 2}), (1234.5).toLocaleString('en-US', {useGrouping: false}), (0.256).toLocaleString('en-US', {style: 'percent'}), (1e21).toLocaleString(), (12345.6789).toLocaleString(undefined, {maximumFractionDigits: 2}), (2.5).toLocaleString('en-US', {maximumFractionDigits: 0}), (999.9999).toLocaleString()].join(' | ')`, "1,234,567.891 | 0.123 | -1,234.5 | NaN | -∞ | 1.001 | -0 | 1,235 | 5.00 | 1234.5 | 26% | 1,000,000,000,000,000,000,000 | 12,345.68 | 3 | 1,000"},
		{"Number toLocaleString range", `(() => { try { (1).toLocaleString('en-US', {minimumFractionDigits: 5, maximumFractionDigits: 2}) } catch (e) { return e.name + ': ' + e.message } })()`, "RangeError: maximumFractionDigits value is out of range."},
	})
}

func TestModuleBufferEncodings(t *testing.T) {
	for _, tc := range []struct{ in, enc, want string }{
		{"ff00zz", "hex", "ff00"},
		{"aGk", "base64", "6869"},
		{"aGk-_w", "base64url", "68693eff"},
		{"ħ", "latin1", "27"},
		{"ab", "ucs2", "61006200"},
		{"é", "utf8", "c3a9"},
	} {
		assert.Equal(t, tc.want, fmt.Sprintf("%x", bufferDecodeString(tc.in, tc.enc)), tc.in+" "+tc.enc)
	}
	assert.Equal(t, "hÃ©llo", bufferEncodeString([]byte("héllo"), "latin1"))
	assert.Equal(t, "qZk-NkcGgWq6PiVxeFDCbJzQ2J0", bufferEncodeString(bufferDecodeBase64("qZk+NkcGgWq6PiVxeFDCbJzQ2J0="), "base64url"))
}
