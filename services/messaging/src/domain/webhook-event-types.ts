/** The events a customer webhook endpoint may subscribe to (the payload's `type`). */
export const WEBHOOK_EVENT_TYPES = [
  /** Every lifecycle status of an outbound message (queued … delivered, failed, rejected …). */
  'message.status_changed',
  /** An inbound message. */
  'message.received',
  /** A number opted out or back in (from compliance's suppression list). */
  'opt_out.changed',
  /** A campaign's counters: every few seconds while it runs, and at every status change. */
  'campaign.progress',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The test ping of testWebhookEndpoint (always sent, whatever the endpoint subscribed to). */
export const WEBHOOK_PING_TYPE = 'webhook.ping';

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** The subscribed types, deduplicated and in catalog order; undefined when empty or unknown. */
export function normalizeEventTypes(types: readonly string[]): WebhookEventType[] | undefined {
  if (types.length === 0 || !types.every(isWebhookEventType)) return undefined;
  return WEBHOOK_EVENT_TYPES.filter((t) => types.includes(t));
}
