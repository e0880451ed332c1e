// Package gcs serves the part of @google-cloud/storage that export plugins
// use (bucket(name).file(name).save(data, options)) on Cloud Storage's
// JSON API, with the service account's token from googleauth. Uploads go
// through the plugin's guarded outbound client, so fetch_allow and
// fetch_deny_private apply to them too.
package gcs

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
	"github.com/hogpipe/hogpipe/internal/node/googleauth"
	"github.com/hogpipe/hogpipe/internal/outbound"
)

//go:embed gcs.js
var source string

var program = goja.MustCompile("node:@google-cloud/storage", source, true)

// Name is the import name.
const Name = "@google-cloud/storage"

// scopes are the SDK's default scopes.
var scopes = []string{"https://www.googleapis.com/auth/iam", "https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/devstorage.full_control"}

// Module serves @google-cloud/storage over client, the plugin's guarded
// HTTP client (shared with fetch, closed with the plugin).
func Module(client *outbound.Client) node.Module {
	r := &googleauth.Requester{Package: Name, Scopes: scopes, Client: client, Tokens: googleauth.NewTokens()}
	return node.Module{Name: Name, Load: func(h node.Host) require.ModuleLoader {
		return func(rt *goja.Runtime, module *goja.Object) {
			node.RunJSModule(rt, program, module, r.Host(rt, h))
		}
	}}
}
