import { PluginEvent, PluginMeta } from '@posthog/plugin-scaffold'

export async function processEvent(event: PluginEvent, meta: PluginMeta): Promise<PluginEvent> {
    event.properties = { ...event.properties, style: 'esm export' }
    return event
}
