// The first attempt never ends (the test kills its process with SIGKILL while
// it waits); the next attempt finishes. Attempts are counted in storage,
// which lives in the shared Redis.
export const jobs = {
    work: async ({ n }, { storage }) => {
        const attempt = (await storage.get('attempts', 0)) + 1
        await storage.set('attempts', attempt)
        posthog.capture('job started', { attempt, n })
        if (attempt === 1) {
            await new Promise(() => {})
        }
        posthog.capture('job done', { attempt, n })
    },
}
