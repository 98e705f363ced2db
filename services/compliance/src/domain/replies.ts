/**
 * The texts of the keyword replies (CTIA-style: the program's name, how to opt out, that rates
 * may apply). An organization may set its own; `{{organization}}` in it becomes its name. Pure.
 */
import type { KeywordIntent } from './keywords';

export interface ReplyTexts {
  stopReply: string | null;
  startReply: string | null;
  helpReply: string | null;
}

export const DEFAULT_REPLIES: Readonly<Record<KeywordIntent, string>> = Object.freeze({
  OPT_OUT:
    '{{organization}}: You are unsubscribed and will receive no more messages. Reply START to resubscribe.',
  OPT_IN:
    '{{organization}}: You are resubscribed. Reply STOP to unsubscribe, HELP for help. Msg&data rates may apply.',
  HELP: '{{organization}}: Reply STOP to unsubscribe, START to resubscribe. Msg&data rates may apply.',
});

const CUSTOM: Record<KeywordIntent, keyof ReplyTexts> = {
  OPT_OUT: 'stopReply',
  OPT_IN: 'startReply',
  HELP: 'helpReply',
};

/** The reply to `intent` for an organization named `organization` with its own texts. */
export function replyText(
  intent: KeywordIntent,
  organization: string,
  texts: ReplyTexts | null,
): string {
  const template = texts?.[CUSTOM[intent]] ?? DEFAULT_REPLIES[intent];
  const name = organization.trim() || 'Switchboard';
  return template.replace(/\{\{\s*organization\s*\}\}/g, name).trim();
}

/** The idempotency key of the reply to an inbound message: a replay never sends twice. */
export function replyIdempotencyKey(inboundMessageId: string): string {
  return `compliance-reply:${inboundMessageId}`;
}

/**
 * Until when a reply to a keyword that arrived at `receivedAt` may still be sent (counted from
 * the keyword, not from when it is handled), or null when that time has passed: a keyword
 * replayed late — a new consumer group reading the topic from its start — gets no reply.
 */
export function replyValidUntil(
  receivedAt: Date | null,
  now: Date,
  validitySeconds: number,
): Date | null {
  const until = new Date((receivedAt ?? now).getTime() + validitySeconds * 1000);
  return until > now ? until : null;
}
