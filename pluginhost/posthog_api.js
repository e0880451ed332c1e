(function (fetch, defaults) {
  "use strict";
  // fetch adds the operator's keys (posthog_personal_api_key as
  // Authorization, posthog_project_api_key as token) in Go, and only to
  // requests for posthog_host: they never pass through this code, which a
  // plugin can observe by replacing the built-ins it calls. Keys a plugin
  // passes in options are its own and go wherever it sends them.
  function request(method, path, options) {
    options = options || {};
    const host = String(options.host || defaults.host || "").replace(/\/+$/, "");
    if (!host) {
      return Promise.reject(new Error("posthog.api: no PostHog host: set posthog_host on the plugin component or pass {host}"));
    }
    const personalApiKey = options.personalApiKey;
    const projectApiKey = options.projectApiKey;
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
})
