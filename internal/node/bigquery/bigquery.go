// Package bigquery serves the part of @google-cloud/bigquery that export
// plugins use (datasets, tables, their metadata, createTable and streaming
// inserts) on BigQuery's REST API, with the service account's token from
// googleauth. Requests go through the plugin's guarded outbound client, so
// fetch_allow and fetch_deny_private apply to them too.
package bigquery

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
	"github.com/hogpipe/hogpipe/internal/node/googleauth"
	"github.com/hogpipe/hogpipe/internal/outbound"
)

//go:embed bigquery.js
var source string

var program = goja.MustCompile("node:@google-cloud/bigquery", source, true)

// Name is the import name.
const Name = "@google-cloud/bigquery"

// scopes are the SDK's default scopes.
var scopes = []string{"https://www.googleapis.com/auth/bigquery", "https://www.googleapis.com/auth/cloud-platform"}

// Module serves @google-cloud/bigquery over client, the plugin's guarded
// HTTP client (shared with fetch, closed with the plugin).
func Module(client *outbound.Client) node.Module {
	r := &googleauth.Requester{Package: Name, Scopes: scopes, Client: client, Tokens: googleauth.NewTokens()}
	return node.Module{Name: Name, Load: func(h node.Host) require.ModuleLoader {
		return func(rt *goja.Runtime, module *goja.Object) {
			node.RunJSModule(rt, program, module, r.Host(rt, h))
		}
	}}
}
