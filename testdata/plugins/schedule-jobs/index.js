module.exports = {
    processEvent: async (event, { jobs }) => {
        await jobs.echo({ event: event.event }).runNow()
        return event
    },
    jobs: {
        echo: async ({ event }) => {
            posthog.capture('echoed', { original: event })
        },
    },
}
