package pluginhost

import (
	"fmt"

	"github.com/dop251/goja"
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
const posthogAPISource = `(function (fetch, defaults) {
  "use strict";
  function request(method, path, options) {
    options = options || {};
    const host = String(options.host || defaults.host || "").replace(/\/+$/, "");
    if (!host) {
      return Promise.reject(new Error("posthog.api: no PostHog host: set posthog_host on the plugin component or pass {host}"));
    }
    const personalApiKey = options.personalApiKey || defaults.personalApiKey;
    const projectApiKey = options.projectApiKey || defaults.projectApiKey;
    let url = host + (String(path).startsWith("/") ? "" : "/") + path;
    const query = new URLSearchParams();
    const headers = {};
    if (personalApiKey) headers.Authorization = "Bearer " + personalApiKey;
    const data = options.data || {};
    let body;
    if (method === "GET" || method === "DELETE") {
      for (const [key, value] of Object.entries(data)) {
        query.set(key, typeof value === "string" ? value : JSON.stringify(value));
      }
      if (projectApiKey && !query.has("token")) query.set("token", projectApiKey);
      const qs = query.toString();
      if (qs) url += (url.includes("?") ? "&" : "?") + qs;
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(projectApiKey ? Object.assign({ token: projectApiKey }, data) : data);
    }
    return fetch(url, { method, headers, body });
  }
  return {
    get: (path, options) => request("GET", path, options),
    post: (path, options) => request("POST", path, options),
    put: (path, options) => request("PUT", path, options),
    delete: (path, options) => request("DELETE", path, options),
  };
})`

var posthogAPIProgram = goja.MustCompile("hogpipe:posthog-api", posthogAPISource, true)

// installPostHogAPI adds posthog.api; it needs the fetch global.
func (v *vm) installPostHogAPI() error {
	rt := v.rt
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
