async function setupPlugin({ cache, config, global }) {
    const attempt = await cache.incr('setup-attempts')
    if (config.fatal === 'yes') {
        throw new Error('invalid API key')
    }
    if (attempt <= parseInt(config.failTimes)) {
        throw new RetryError('database not ready')
    }
    global.ready = true
}

async function onEvent(event, { cache, global }) {
    if (!global.ready) {
        throw new Error('onEvent before setupPlugin')
    }
    await cache.lpush('seen', event.uuid)
}

module.exports = { setupPlugin, onEvent }
