package pluginhost

import (
	"fmt"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
	nodebuffer "github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/crypto"
	"github.com/hogpipe/hogpipe/internal/node/events"
	"github.com/hogpipe/hogpipe/internal/node/querystring"
	"github.com/hogpipe/hogpipe/internal/node/stream"
	nodeurl "github.com/hogpipe/hogpipe/internal/node/url"
	nodeutil "github.com/hogpipe/hogpipe/internal/node/util"
	"github.com/hogpipe/hogpipe/internal/node/zlib"
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
func hostModules() []node.Module {
	return []node.Module{
		{Name: "@posthog/plugin-scaffold", Load: scaffoldModule},
		contribModule(),
		nodebuffer.Module(),
		crypto.Module(),
		events.Module(),
		webfetch.Module(),
		querystring.Module(),
		stream.Module(),
		nodeurl.Module(),
		nodeutil.Module(),
		zlib.Module(),
	}
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
func (v *vm) installHost() error {
	registry := require.NewRegistry()
	for _, m := range hostModules() {
		if m.Load != nil {
			registry.RegisterNativeModule(m.Name, m.Load(v))
		}
	}
	registry.Enable(v.rt)
	for _, g := range v.globals() {
		if err := g.Install(v.rt, v); err != nil {
			return fmt.Errorf("%s: %w", g.Name, err)
		}
	}
	return nil
}

// hostModuleNames are the imports esbuild leaves to the runtime.
func hostModuleNames() map[string]bool {
	names := make(map[string]bool)
	for _, m := range hostModules() {
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
