package intl

import (
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkInstall is the Intl global's share of making a plugin VM: it
// must stay small, as no CLDR data is decoded until a plugin formats.
func BenchmarkInstall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := install(goja.New(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToLocaleDateString is a plugin's repeated toLocaleDateString
// call without options (the cached path).
func BenchmarkToLocaleDateString(b *testing.B) {
	rt := goja.New()
	if err := install(rt, nil); err != nil {
		b.Fatal(err)
	}
	fn, err := rt.RunString(`(d) => d.toLocaleDateString('en-GB')`)
	if err != nil {
		b.Fatal(err)
	}
	call, _ := goja.AssertFunction(fn)
	date, _ := rt.RunString(`new Date(Date.UTC(2024, 0, 5))`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := call(goja.Undefined(), date); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLocaleCompare sorts 100 words with localeCompare, as plugins
// sort names.
func BenchmarkLocaleCompare(b *testing.B) {
	rt := goja.New()
	if err := install(rt, nil); err != nil {
		b.Fatal(err)
	}
	fn, err := rt.RunString(`const words = Array.from({length: 100}, (_, i) => 'wörd' + ((i * 7919) % 100));
		() => words.slice().sort((a, b) => a.localeCompare(b, 'de'))`)
	if err != nil {
		b.Fatal(err)
	}
	sort, _ := goja.AssertFunction(fn)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sort(goja.Undefined()); err != nil {
			b.Fatal(err)
		}
	}
}
