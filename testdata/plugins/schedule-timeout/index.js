export async function runEveryMinute({ storage }) {
    const runs = (await storage.get('runs', 0)) + 1
    await storage.set('runs', runs)
    if (runs === 1) {
        while (true) {}
    }
    posthog.capture('recovered', { runs })
}
