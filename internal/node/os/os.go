// Package os is Node's os module reduced to what describes the platform
// (EOL, platform, type, arch, endianness, tmpdir, devNull), written in
// JavaScript (os.js). What would describe the host machine (hostname,
// users, network interfaces, CPUs, memory) is refused: a plugin learns
// nothing of where it runs.
package os

import (
	_ "embed"
	"runtime"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

//go:embed os.js
var source string

var program = goja.MustCompile("node:os", source, true)

// nodeArch is Node's name for Go's GOARCH.
func nodeArch(goarch string) string {
	switch goarch {
	case "amd64":
		return "x64"
	case "386":
		return "ia32"
	case "ppc64le":
		return "ppc64"
	}
	return goarch
}

// Arch is Node's process.arch and os.arch() for the host's GOARCH.
func Arch() string { return nodeArch(runtime.GOARCH) }

func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		host := rt.NewObject()
		_ = host.Set("arch", Arch())
		node.RunJSModule(rt, program, module, host)
	}
}

// Module serves require("os").
func Module() node.Module { return node.Module{Name: "os", Load: load} }
