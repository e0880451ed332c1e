package pluginhost

import (
	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	webfetch "github.com/hogpipe/hogpipe/internal/web/fetch"

	"github.com/hogpipe/hogpipe/internal/node"
	"github.com/hogpipe/hogpipe/internal/node/crypto"
	"github.com/hogpipe/hogpipe/internal/node/events"
	"github.com/hogpipe/hogpipe/internal/node/querystring"
	"github.com/hogpipe/hogpipe/internal/node/stream"
	nodeurl "github.com/hogpipe/hogpipe/internal/node/url"
	nodeutil "github.com/hogpipe/hogpipe/internal/node/util"
	"github.com/hogpipe/hogpipe/internal/node/zlib"
)

// hostModule serves one importable module inside a VM. A nil loader means
// goja_nodejs serves it as a core module.
type hostModule struct {
	loader func(v *vm) require.ModuleLoader
}

// hostModules is the table of every module the host serves to plugins. They
// stay external to the esbuild bundle, so these win over node_modules copies.
var hostModules = map[string]hostModule{
	"@posthog/plugin-scaffold": {loader: scaffoldModule},
	"buffer":                   {},
	"node-fetch":               {loader: viaHost(webfetch.Module())},
	"url":                      {loader: viaHost(nodeurl.Module())},
	"util":                     {loader: viaHost(nodeutil.Module())},
	"crypto":                   {loader: viaHost(crypto.Module())},
	"zlib":                     {loader: viaHost(zlib.Module())},
	"stream":                   {loader: viaHost(stream.Module())},
	"events":                   {loader: viaHost(events.Module())},
	"querystring":              {loader: viaHost(querystring.Module())},
	"@posthog/plugin-contrib":  {loader: viaHost(contribModule())},
}

// scaffoldModule serves @posthog/plugin-scaffold: its types vanish at build
// time; at run time only RetryError is real.
func scaffoldModule(v *vm) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		exports := module.Get("exports").(*goja.Object)
		_ = exports.Set("RetryError", rt.Get("RetryError"))
	}
}

// viaHost adapts a module of internal/node, which sees the VM as its Host.
func viaHost(m node.Module) func(v *vm) require.ModuleLoader {
	return func(v *vm) require.ModuleLoader { return m.Load(v) }
}
