package pluginhost

import (
	_ "embed"
	"fmt"
	"net/url"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/node"
	webfetch "github.com/hogpipe/hogpipe/internal/web/fetch"
)

// PostHogAPI is where posthog.api sends requests unless a call names its own
// host and keys. The keys go to Host only.
type PostHogAPI struct {
	Host           string // e.g. https://us.posthog.com
	ProjectAPIKey  string // sent as `token`
	PersonalAPIKey string // sent as `Authorization: Bearer …`
}

// checkPostHogAPI refuses a posthog_host the keys could not be tied to.
func checkPostHogAPI(api PostHogAPI) error {
	if api.Host == "" {
		return nil
	}
	u, err := url.Parse(api.Host)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want an http(s) URL such as https://us.posthog.com", api.Host)
	}
	if u.User != nil {
		return fmt.Errorf("%q: put no credentials in the URL; use posthog_personal_api_key", u.Redacted())
	}
	return nil
}

// posthogAPISource builds posthog.api on top of the VM's fetch, so requests
// get fetch's time bounds, proxy settings and outbound guard.
//
//go:embed posthog_api.js
var posthogAPISource string

var posthogAPIProgram = goja.MustCompile("hogpipe:posthog-api", posthogAPISource, true)

// postHogAPIGlobal adds posthog.api; it needs the fetch global. The
// operator's keys stay in Go: the fetch it uses adds them to requests for
// posthog_host only (a {host} option pointing elsewhere gets a request
// without them, and a warning is logged once).
func (v *vm) postHogAPIGlobal(rt *goja.Runtime, h node.Host) error {
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
	fetch := rt.Get("fetch")
	if cfg.Host != "" && (cfg.ProjectAPIKey != "" || cfg.PersonalAPIKey != "") {
		fetch, err = v.plugin.fetch.FetchFor(rt, h, webfetch.Credentials{
			Origin: cfg.Host,
			Bearer: cfg.PersonalAPIKey,
			Token:  cfg.ProjectAPIKey,
			Foreign: func(u *url.URL) {
				v.plugin.warnForeignAPIHost.Do(func() {
					v.plugin.log.Warnf("plugin %q: posthog.api request to %s sent without the PostHog keys: they go only to posthog_host %s",
						v.plugin.manifest.Name, u.Redacted(), cfg.Host)
				})
			},
		})
		if err != nil {
			return fmt.Errorf("posthog_host: %w", err)
		}
	}
	api, err := fn(goja.Undefined(), fetch, defaults)
	if err != nil {
		return err
	}
	return posthog.Set("api", api)
}
