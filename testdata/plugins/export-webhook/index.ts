// A composeWebhook app as PostHog's 2023 template wrote them.
import { PostHogEvent, Webhook } from '@posthog/plugin-scaffold'

export function composeWebhook(event: PostHogEvent, { config }: any): Webhook | null {
    if (event.event === 'skip') {
        return null
    }
    if (event.event === 'wrong') {
        throw new Error('cannot compose')
    }
    return {
        url: `${config.url}/hook/${encodeURIComponent(event.event)}`,
        body: JSON.stringify({ ...event, isDate: event.timestamp instanceof Date }),
        headers: { 'Content-Type': 'application/json', 'X-Event': event.event },
        method: event.event === 'put' ? 'PUT' : 'POST',
    }
}
