// ESM `export function` in a .js file, using the URL and URLSearchParams globals.
const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']

export function setupPlugin({ config, global }) {
    global.strip = (config.stripParams || '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
}

export function processEvent(event, { global }) {
    const props = event.properties
    if (!props || typeof props.$current_url !== 'string') {
        return event
    }
    let url
    try {
        url = new URL(props.$current_url)
    } catch (e) {
        props.url_error = `${e.name}: ${e instanceof TypeError}`
        return event
    }
    const params = new URLSearchParams(url.search)
    for (const key of UTM) {
        if (params.has(key)) {
            props[key] = params.get(key)
        }
    }
    props.tags = params.getAll('tag')
    props.has_empty = params.has('empty') ? params.get('empty') : null
    for (const key of global.strip) {
        params.delete(key)
    }
    params.sort()
    url.search = params.toString()
    url.hash = ''
    props.$current_url_clean = url.toString()
    props.query_entries = Array.from(params.entries())
    const seen = []
    params.forEach((value, key) => seen.push(`${key}=${value}`))
    props.query_seen = seen.join('|')
    props.url_parts = {
        protocol: url.protocol,
        host: url.host,
        hostname: url.hostname,
        port: url.port,
        pathname: url.pathname,
        origin: url.origin,
        username: url.username,
    }
    if (typeof props.$referrer === 'string' && props.$referrer !== '$direct') {
        props.referrer_host = new URL(props.$referrer).hostname
    }

    const built = new URLSearchParams({ q: 'a b&c=d', emoji: '✓ ok', plus: '1+1', slash: 'a/b?c' })
    built.append('list', 'x')
    built.append('list', 'y')
    built.set('q', built.get('q') + '!')
    props.built_query = built.toString()
    props.built_from_pairs = new URLSearchParams([['a', '1'], ['b', '~*\'()']]).toString()
    props.built_from_string = new URLSearchParams('?x=1&y=%20two+words&z=%E2%9C%93&w').toString()
    props.relative = new URL('../up?k=v#frag', 'https://example.com/a/b/c').href
    return event
}
