export async function processEvent(event) {
    const got = await posthog.api.get('/api/projects/@current/', { data: { limit: 2 } })
    event.properties.get = await got.json()
    const posted = await posthog.api.post('/api/annotations/', { data: { content: 'hi' }, personalApiKey: 'phx_other' })
    event.properties.post = await posted.json()
    return event
}
