import type { SendPurpose } from './message';

/**
 * A message's priority in the device (and carrier) queues, 0–100, higher first: a campaign
 * must never delay a transactional message (an OTP sent during a big campaign on the same
 * phones goes ahead of every campaign message still waiting), and the carrier-required
 * compliance replies go ahead of both.
 */
export const MESSAGE_PRIORITY: Readonly<Record<SendPurpose, number>> = {
  CAMPAIGN: 10,
  TRANSACTIONAL: 50,
  COMPLIANCE_REPLY: 90,
};

/**
 * What an API caller may ask for, like SMSGate's `priority`: a single send anything below the
 * compliance replies' level (they always go first); a campaign anything below the transactional
 * default, so a campaign never delays a transactional message sent with the default.
 */
export const SETTABLE_PRIORITY: Readonly<Record<'TRANSACTIONAL' | 'CAMPAIGN', PriorityRange>> = {
  TRANSACTIONAL: { min: 0, max: MESSAGE_PRIORITY.COMPLIANCE_REPLY - 1 },
  CAMPAIGN: { min: 0, max: MESSAGE_PRIORITY.TRANSACTIONAL - 1 },
};

export interface PriorityRange {
  min: number;
  max: number;
}

/** The priority a message is queued with: the one asked for, else its purpose's default. */
export function messagePriority(purpose: SendPurpose, asked?: number | null): number {
  return asked ?? MESSAGE_PRIORITY[purpose];
}

/**
 * Checks a priority an API caller asked for (absent: the purpose's default): an integer in the
 * purpose's settable range, or why not.
 */
export function checkPriority(
  purpose: 'TRANSACTIONAL' | 'CAMPAIGN',
  asked: number | null | undefined,
): { ok: true; priority: number | null } | { ok: false; reason: string } {
  if (asked === null || asked === undefined) return { ok: true, priority: null };
  const { min, max } = SETTABLE_PRIORITY[purpose];
  if (!Number.isInteger(asked) || asked < min || asked > max) {
    const what = purpose === 'CAMPAIGN' ? 'A campaign' : 'A message';
    return { ok: false, reason: `${what}'s priority is an integer from ${min} to ${max}` };
  }
  return { ok: true, priority: asked };
}
