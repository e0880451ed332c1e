// `export default {…}`: local-time properties as plugins in the wild compute
// them, with toLocale*String and a timeZone option, Intl.DateTimeFormat and
// number formatting.
function isoDate(date, timeZone) {
    const parts = {}
    for (const { type, value } of new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
    }).formatToParts(date)) {
        parts[type] = value
    }
    return `${parts.year}-${parts.month}-${parts.day}`
}

export default {
    processEvent(event, { config }) {
        if (!event.timestamp) {
            return event
        }
        const date = new Date(event.timestamp)
        const timeZone = (event.properties && event.properties.tz) || config.timeZone
        const p = event.properties || {}
        p.local_datetime = date.toLocaleString('en-US', { timeZone })
        p.local_date = date.toLocaleDateString('en-US', { timeZone })
        p.local_time = date.toLocaleTimeString('en-US', { timeZone })
        p.local_time_24h = date.toLocaleTimeString('en-US', { timeZone, hour12: false })
        p.local_date_medium = date.toLocaleDateString('en-US', { timeZone, dateStyle: 'medium' })
        p.local_weekday = date.toLocaleDateString('en-US', { timeZone, weekday: 'long' })
        p.local_hour = Number(date.toLocaleString('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }))
        p.local_month = date.toLocaleString('en-US', { timeZone, month: 'long', year: 'numeric' })
        p.local_zone = date.toLocaleString('en-US', { timeZone, timeZoneName: 'short' })
        p.local_iso_date = isoDate(date, timeZone)
        p.resolved_zone = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone
        p.utc_default = date.toLocaleString()
        p.utc_date_default = date.toLocaleDateString()
        p.utc_hours = date.getHours()
        p.timezone_offset = date.getTimezoneOffset()
        p.date_string = date.toString()
        if (typeof p.revenue === 'number') {
            p.revenue_text = p.revenue.toLocaleString('en-US', { style: 'currency', currency: 'USD' })
            p.revenue_plain = p.revenue.toLocaleString()
            p.revenue_rounded = p.revenue.toLocaleString('en-US', { maximumFractionDigits: 1 })
        }
        event.properties = p
        return event
    },
}
