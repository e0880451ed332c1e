package pluginhost

import (
	_ "embed"
	"fmt"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/node"
)

// PostHogAPI is where posthog.api sends requests unless a call names its own
// host and keys.
type PostHogAPI struct {
	Host           string // e.g. https://us.posthog.com
	ProjectAPIKey  string // sent as `token`
	PersonalAPIKey string // sent as `Authorization: Bearer …`
}

// posthogAPISource builds posthog.api on top of the VM's fetch, so requests
// get fetch's time bounds, proxy settings and outbound guard.
//
//go:embed posthog_api.js
var posthogAPISource string

var posthogAPIProgram = goja.MustCompile("hogpipe:posthog-api", posthogAPISource, true)

// postHogAPIGlobal adds posthog.api; it needs the fetch global.
func (v *vm) postHogAPIGlobal(rt *goja.Runtime, _ node.Host) error {
	posthog, ok := rt.Get("posthog").(*goja.Object)
	if !ok {
		return fmt.Errorf("posthog global missing")
	}
	build, err := rt.RunProgram(posthogAPIProgram)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(build)
	cfg := v.plugin.opts.PostHogAPI
	defaults := rt.NewObject()
	_ = defaults.Set("host", cfg.Host)
	_ = defaults.Set("projectApiKey", cfg.ProjectAPIKey)
	_ = defaults.Set("personalApiKey", cfg.PersonalAPIKey)
	api, err := fn(goja.Undefined(), rt.Get("fetch"), defaults)
	if err != nil {
		return err
	}
	return posthog.Set("api", api)
}
