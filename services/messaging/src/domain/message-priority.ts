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

export function messagePriority(purpose: SendPurpose): number {
  return MESSAGE_PRIORITY[purpose];
}
