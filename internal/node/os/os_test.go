package os

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestModuleOs checks os against Node 20 on linux/x64: the expected values
// are what Node 20 returns for the same snippets there.
func TestModuleOs(t *testing.T) {
	nodetest.New(t, nodetest.Modules(Module())).Run(t, []nodetest.Case{
		{"platform", `JSON.stringify([require('os').EOL, require('os').devNull, require('os').platform(), require('os').type(), require('os').endianness(), require('os').tmpdir()])`, `["\n","/dev/null","linux","Linux","LE","/tmp"]`},
		{"hostname refused", `(() => { try { require('os').hostname() } catch (e) { return e.name + ': ' + e.message } })()`, "TypeError: os: hostname is not supported by hogpipe (plugins get no details of the host)"},
	})
}

func TestNodeArch(t *testing.T) {
	for goarch, want := range map[string]string{"amd64": "x64", "arm64": "arm64", "386": "ia32", "ppc64le": "ppc64", "s390x": "s390x"} {
		if got := nodeArch(goarch); got != want {
			t.Errorf("nodeArch(%q) = %q, want %q", goarch, got, want)
		}
	}
}
