package pluginhost

import (
	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
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
	"node-fetch":               {loader: fetchModule},
	"url":                      {loader: urlModule},
	"util":                     {loader: utilModule},
	"crypto":                   {loader: cryptoModule},
	"zlib":                     {loader: zlibModule},
	"stream":                   {loader: streamModule},
	"events":                   {loader: eventsModule},
	"querystring":              {loader: querystringModule},
	"@posthog/plugin-contrib":  {loader: contribModule},
}

// scaffoldModule serves @posthog/plugin-scaffold: its types vanish at build
// time; at run time only RetryError is real.
func scaffoldModule(v *vm) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		exports := module.Get("exports").(*goja.Object)
		_ = exports.Set("RetryError", rt.Get("RetryError"))
	}
}
