async function call(fn, path, options) {
  try {
    const res = await fn(path, options)
    return { status: res.status, url: res.url, body: await res.text() }
  } catch (e) {
    return { error: String(e.message) }
  }
}

export async function processEvent(event) {
  const { elsewhere, path } = event.properties
  event.properties.result = {
    get: await call(posthog.api.get, '/collect', { host: elsewhere, data: { a: 1 } }),
    post: await call(posthog.api.post, '/collect', { host: elsewhere, data: { a: 1 } }),
    // A path cannot move the request to another host either.
    sneakyPath: await call(posthog.api.get, path),
    // The plugin's own keys go where it sends them.
    ownKeys: await call(posthog.api.get, '/own', { host: elsewhere, personalApiKey: 'phx_plugin_own', projectApiKey: 'phc_plugin_own' }),
    // posthog_host redirecting elsewhere does not carry the keys along.
    redirected: await call(posthog.api.post, '/redirect', { data: { b: 2 } }),
  }
  return event
}
