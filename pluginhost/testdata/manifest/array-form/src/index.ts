export function processEvent(event: any) {
    return event
}
