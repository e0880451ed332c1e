// Plain top-level functions, no exports: the host finds them in the
// script's scope. The regular expressions are built from config in
// setupPlugin and kept in meta.global; they use look-behind, which Go's
// regexp engine lacks.
function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function setupPlugin({ config, global }) {
    const names = config.secretParams
        .split(',')
        .map((s) => escapeRegExp(s.trim()))
        .filter(Boolean)
    global.maskValue = new RegExp(`(?<=[?&](?:${names.join('|')})=)[^&#]*`, 'gi')
    global.domain = new RegExp(`(?<=${escapeRegExp(config.domainMarker)})[\\w.-]+\\.[a-z]{2,}`, 'i')
    global.price = /(?<=(?:price|cost): ?)(?<amount>\d+(?:\.\d+)?)(?! ?%)/g
    global.bareId = /(?<![$\w])id\b/g
    global.lastWord = /(?<=\s)\p{L}+$/u
}

function processEvent(event, { global }) {
    const props = event.properties || {}
    if (typeof props.$current_url === 'string') {
        props.$current_url = props.$current_url.replace(global.maskValue, '***')
    }
    if (typeof props.email === 'string') {
        const match = props.email.match(global.domain)
        props.email_domain = match ? match[0].toLowerCase() : null
    }
    if (typeof props.text === 'string') {
        const text = props.text
        props.prices = [...text.matchAll(global.price)].map((m) => ({ amount: m.groups.amount, index: m.index }))
        props.bare_ids = (text.match(global.bareId) || []).length
        props.bare_id_positions = []
        let m
        global.bareId.lastIndex = 0
        while ((m = global.bareId.exec(text)) !== null) {
            props.bare_id_positions.push(m.index)
        }
        props.last_word = (text.match(global.lastWord) || [null])[0]
        props.masked_numbers = text.replace(/(?<=\d{2})\d(?=\d{2})/g, '#')
        props.split_on_lookbehind = text.split(/(?<=[.!?])\s+/)
    }
    event.properties = props
    return event
}
