// Locale-dependent properties: the day/month/year split that
// timestamp-parser-style plugins take from toLocaleDateString('en-GB'),
// and dates, numbers and plural forms in the event's own locale.
export function processEvent(event, { config }) {
    if (!event.timestamp) {
        return event
    }
    const date = new Date(event.timestamp)
    const props = event.properties || {}
    const [day, month, year] = date.toLocaleDateString('en-GB').split('/')
    props.day = day
    props.month = month
    props.year = year
    const locale = props.locale || config.locale
    const timeZone = props.tz || 'UTC'
    props.local_date = date.toLocaleDateString(locale, { timeZone })
    props.local_datetime = date.toLocaleString(locale, { timeZone })
    props.local_long = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(date)
    props.local_weekday = date.toLocaleDateString(locale, { weekday: 'long', timeZone })
    props.resolved_locale = new Intl.DateTimeFormat(locale).resolvedOptions().locale
    if (typeof props.revenue === 'number') {
        props.revenue_plain = props.revenue.toLocaleString(locale)
        props.revenue_text = props.revenue.toLocaleString(locale, { style: 'currency', currency: props.currency || 'EUR' })
        props.revenue_compact = new Intl.NumberFormat(locale, { notation: 'compact' }).format(props.revenue)
        props.revenue_parts = new Intl.NumberFormat(locale, { style: 'currency', currency: props.currency || 'EUR' })
            .formatToParts(props.revenue)
            .map((p) => p.type)
            .join(' ')
    }
    if (typeof props.items === 'number') {
        props.items_plural = new Intl.PluralRules(locale).select(props.items)
        props.items_ordinal = new Intl.PluralRules(locale, { type: 'ordinal' }).select(props.items)
        props.distance = new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilometer', unitDisplay: 'long' }).format(props.items)
    }
    event.properties = props
    return event
}
