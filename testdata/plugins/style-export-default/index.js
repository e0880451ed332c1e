export default {
    processEvent(event) {
        event.properties.style = 'export default'
        return event
    },
}
