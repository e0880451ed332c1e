// Package url is Node's url module: goja_nodejs' module with the WHATWG
// URL classes of internal/web/url, plus the legacy API (parse, format,
// resolve, Url) written in JavaScript (url.js).
package url

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
	nodeurl "github.com/dop251/goja_nodejs/url"

	"github.com/hogpipe/hogpipe/internal/node"
)

// source adds Node's legacy API to goja_nodejs' url module (URL,
// URLSearchParams, domainToASCII, domainToUnicode): parse, format, resolve,
// resolveObject and Url, with the legacy parser's quirks (lower-cased host,
// auto-escaped spaces and quotes, null for absent parts), plus
// fileURLToPath, pathToFileURL and urlToHttpOptions.
//
//go:embed url.js
var source string

var program = goja.MustCompile("node:url", source, true)

// load serves Node's url: the global WHATWG URL and URLSearchParams
// (internal/web/url), goja_nodejs' domainToASCII and domainToUnicode, plus the
// legacy API above.
func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		nodeurl.Require(rt, module)
		exports := module.Get("exports").(*goja.Object)
		_ = exports.Set("URL", rt.Get("URL"))
		_ = exports.Set("URLSearchParams", rt.Get("URLSearchParams"))
		node.RunJSModule(rt, program, module, nil)
	}
}

// Module serves require("url").
func Module() node.Module { return node.Module{Name: "url", Load: load} }
