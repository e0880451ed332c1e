import { Plugin, PluginEvent } from '@posthog/plugin-scaffold'
import { styleName } from './lib/style'

interface Meta {
    config: { suffix: string }
}

const plugin: Plugin<Meta> = {
    processEvent: (event: PluginEvent, { config }) => {
        event.properties!.style = styleName() + config.suffix
        return event
    },
}

module.exports = plugin
