function processEvent(event) {
    event.properties.style = 'module.exports'
    return event
}
module.exports = { processEvent }
