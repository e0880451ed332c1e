(function (fetch, defaults) {
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
})
