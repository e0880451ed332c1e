import outside from '../outside.json'

export function processEvent(event) {
  event.properties.leaked = outside
  return event
}
