package pluginhost

import (
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
	nodeassert "github.com/hogpipe/hogpipe/internal/node/assert"
	"github.com/hogpipe/hogpipe/internal/node/awssdk"
	"github.com/hogpipe/hogpipe/internal/node/bigquery"
	nodebuffer "github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/crypto"
	"github.com/hogpipe/hogpipe/internal/node/events"
	"github.com/hogpipe/hogpipe/internal/node/gcs"
	"github.com/hogpipe/hogpipe/internal/node/genericpool"
	nodeos "github.com/hogpipe/hogpipe/internal/node/os"
	nodepath "github.com/hogpipe/hogpipe/internal/node/path"
	"github.com/hogpipe/hogpipe/internal/node/pg"
	nodeprocess "github.com/hogpipe/hogpipe/internal/node/process"
	"github.com/hogpipe/hogpipe/internal/node/querystring"
	"github.com/hogpipe/hogpipe/internal/node/stream"
	"github.com/hogpipe/hogpipe/internal/node/stringdecoder"
	nodetimers "github.com/hogpipe/hogpipe/internal/node/timers"
	nodeurl "github.com/hogpipe/hogpipe/internal/node/url"
	nodeutil "github.com/hogpipe/hogpipe/internal/node/util"
	"github.com/hogpipe/hogpipe/internal/node/zlib"
	"github.com/hogpipe/hogpipe/internal/outbound"
	webfetch "github.com/hogpipe/hogpipe/internal/web/fetch"
	webglobals "github.com/hogpipe/hogpipe/internal/web/globals"
	webintl "github.com/hogpipe/hogpipe/internal/web/intl"
	weburl "github.com/hogpipe/hogpipe/internal/web/url"
)

// This file is the one table of what a plugin's runtime holds beyond the
// language: the modules it can import and the globals it starts with.

// hostModules lists every module the host serves to plugins, by import name.
// They stay external to the esbuild bundle, so these win over node_modules
// copies.
//
// client is the plugin's guarded HTTP client, for the packages that make
// requests; it may be nil when only the names are wanted.
func hostModules(client *outbound.Client) []node.Module {
	modules := []node.Module{
		{Name: "@posthog/plugin-scaffold", Load: scaffoldModule},
		contribModule(),
		nodeassert.Module(),
		nodebuffer.Module(),
		crypto.Module(),
		events.Module(),
		genericpool.Module(),
		webfetch.Module(),
		nodeos.Module(),
		nodepath.Module(),
		pg.Module(),
		querystring.Module(),
		stream.Module(),
		stringdecoder.Module(),
		nodetimers.Module(),
		nodetimers.PromisesModule(),
		nodeurl.Module(),
		nodeutil.Module(),
		zlib.Module(),
	}
	modules = append(modules, bigquery.Module(client), gcs.Module(client))
	return append(modules, awssdk.Modules(client)...)
}

// globals lists every global a VM gets, in install order: a later one may
// build on an earlier one (fetch's DOMException defers to the one before it,
// posthog.api calls fetch).
func (v *vm) globals() []node.Global {
	return []node.Global{
		{Name: "JSON.parse", Install: jsonParseGuard},
		nodebuffer.Global(),
		weburl.Global(),
		{Name: "console", Install: func(rt *goja.Runtime, _ node.Host) error { return rt.Set("console", v.consoleObject()) }},
		{Name: "posthog", Install: func(rt *goja.Runtime, _ node.Host) error { return rt.Set("posthog", v.posthogObject()) }},
		nodeprocess.Global(),
		webglobals.Text(),
		webglobals.Core(),
		{Name: "RetryError", Install: v.retryErrorGlobal},
		webintl.Global(),
		{Name: "setTimeout", Install: v.timersGlobal},
		v.plugin.fetch.Global(),
		{Name: "posthog.api", Install: v.postHogAPIGlobal},
	}
}

// installHost registers the modules and installs the globals into v's
// runtime.
//
// require serves the host's modules and nothing else: the bundle already
// holds the plugin's own files, and a require left in it at run time (a
// computed name, an absolute path) must not reach the host's file system,
// which goja_nodejs's default loader reads. The loader below refuses every
// file, and the global require is replaced by one that knows only the host
// modules, so goja_nodejs's own core modules ("node:buffer" and the like,
// registered process-wide by the packages linked in) are not served either.
func (v *vm) installHost() error {
	modules := hostModules(v.plugin.fetch.Client())
	registry := require.NewRegistry(require.WithLoader(noModuleFiles), require.WithGlobalFolders())
	names := make(map[string]bool, len(modules))
	for _, m := range modules {
		names[m.Name] = true // a nil Load: goja_nodejs serves it as a core module
		if m.Load != nil {
			registry.RegisterNativeModule(m.Name, m.Load(v))
		}
	}
	loader := registry.Enable(v.rt)
	if err := v.rt.Set("require", hostRequire(v.rt, loader, names)); err != nil {
		return fmt.Errorf("require: %w", err)
	}
	for _, g := range v.globals() {
		if err := g.Install(v.rt, v); err != nil {
			return fmt.Errorf("%s: %w", g.Name, err)
		}
	}
	return nil
}

// noModuleFiles is require's source loader: a plugin's require never reads
// a file.
func noModuleFiles(string) ([]byte, error) { return nil, require.ModuleFileDoesNotExistError }

// hostRequire is the global require: a host module by name ("node:" prefix
// allowed, as Node allows it for built-ins), or Node's MODULE_NOT_FOUND
// error.
func hostRequire(rt *goja.Runtime, loader *require.RequireModule, names map[string]bool) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		if !names[name] && names[strings.TrimPrefix(name, "node:")] {
			name = strings.TrimPrefix(name, "node:")
		}
		if !names[name] {
			msg := fmt.Sprintf("Cannot find module '%s': at run time hogpipe serves only its own modules; "+
				"import the plugin's files and packages with static paths so they are bundled", call.Argument(0).String())
			ex, err := rt.New(rt.Get("Error"), rt.ToValue(msg))
			if err != nil { // the plugin replaced Error
				panic(rt.NewTypeError(msg))
			}
			_ = ex.Set("code", "MODULE_NOT_FOUND")
			panic(ex)
		}
		exports, err := loader.Require(name)
		if err != nil {
			if ex, ok := err.(*goja.Exception); ok {
				panic(ex)
			}
			panic(rt.NewGoError(err))
		}
		return exports
	}
}

// hostModuleNames are the imports esbuild leaves to the runtime.
func hostModuleNames() map[string]bool {
	names := make(map[string]bool)
	for _, m := range hostModules(nil) {
		names[m.Name] = true
	}
	return names
}

// scaffoldModule serves @posthog/plugin-scaffold: its types vanish at build
// time; at run time only RetryError is real.
func scaffoldModule(node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		exports := module.Get("exports").(*goja.Object)
		_ = exports.Set("RetryError", rt.Get("RetryError"))
	}
}
