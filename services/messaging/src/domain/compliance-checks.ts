import { nextAllowedAt, type DailyWindow, type LocalWindowRule } from '@switchboard/sms';
import { MESSAGE_ERROR_CODES } from './message-error';
import type { SendPurpose } from './message';

/**
 * The compliance checks of an outbound message, decided from the projections of compliance's
 * topics (what a number allows, what the organization requires). Pure: the policies in
 * `pre-send/` load the facts and ask these.
 */

/** What the organization may send to one number (compliance.suppression.v1). */
export interface SuppressionFacts {
  optedOut: boolean;
  consent: boolean;
  dnd: boolean;
}

export type TransactionalQuietHoursAction = 'SEND' | 'REFUSE' | 'HOLD';

/** The organization's sending rules (compliance.policy.v1). */
export interface OrganizationComplianceRules {
  quietHours: {
    enabled: boolean;
    window: DailyWindow;
    transactionalAction: TransactionalQuietHoursAction;
    applyStateRules: boolean;
  };
  consentRequiredForCampaigns: boolean;
}

/**
 * Until compliance publishes an organization's policy: the platform defaults of SPEC §4 —
 * quiet hours 08:00–21:00 in the recipient's time, transactional messages sent at any hour,
 * no state rules, consent not required.
 */
export const DEFAULT_COMPLIANCE_RULES: OrganizationComplianceRules = {
  quietHours: {
    enabled: true,
    window: { startMinute: 480, endMinute: 1260 },
    transactionalAction: 'SEND',
    applyStateRules: false,
  },
  consentRequiredForCampaigns: false,
};

export type ComplianceCode = 'OPTED_OUT' | 'DND' | 'NO_CONSENT' | 'QUIET_HOURS';

export type ComplianceDecision =
  | { kind: 'allow' }
  | { kind: 'reject'; code: ComplianceCode; reason: string }
  | { kind: 'hold'; until: Date };

const ALLOW: ComplianceDecision = { kind: 'allow' };
const reject = (
  code: ComplianceCode,
  reason: string = MESSAGE_ERROR_CODES[code].text,
): ComplianceDecision => ({ kind: 'reject', code, reason });

/** A purpose read from a row or a command: unknown and null are TRANSACTIONAL. */
export function purposeOf(purpose: SendPurpose | null | undefined): SendPurpose {
  return purpose ?? 'TRANSACTIONAL';
}

/** The opt-out confirmation and the HELP reply go even to an opted-out number. */
export function decideOptOut(
  purpose: SendPurpose,
  state: SuppressionFacts | undefined,
): ComplianceDecision {
  if (purpose === 'COMPLIANCE_REPLY' || !state?.optedOut) return ALLOW;
  return reject('OPTED_OUT');
}

/** GoHighLevel's DND flag blocks like an opt-out (compliance replies excepted). */
export function decideDnd(
  purpose: SendPurpose,
  state: SuppressionFacts | undefined,
): ComplianceDecision {
  if (purpose === 'COMPLIANCE_REPLY' || !state?.dnd) return ALLOW;
  return reject('DND');
}

/** Campaign messages need the number's consent when the organization requires it. */
export function decideConsent(
  purpose: SendPurpose,
  rules: OrganizationComplianceRules,
  state: SuppressionFacts | undefined,
): ComplianceDecision {
  if (purpose !== 'CAMPAIGN' || !rules.consentRequiredForCampaigns || state?.consent) return ALLOW;
  return reject('NO_CONSENT');
}

export interface QuietHoursFacts {
  purpose: SendPurpose;
  rules: OrganizationComplianceRules;
  /**
   * The recipient's windows (one per candidate zone, plus state windows), or, when those never
   * meet, the fallback (the organization's zone); empty when the recipient's place is unknown.
   */
  recipient: readonly LocalWindowRule[];
  fallback: readonly LocalWindowRule[];
  /** When the message would go: now, or its scheduledAt. */
  sendAt: Date;
  /** Its validity end, if any. */
  validUntil: Date | null;
}

/**
 * Quiet hours: inside the window, or for a compliance reply, the message goes; outside it a
 * campaign message is held until the window opens, and a transactional one is sent, refused or
 * held as the organization chose. A hold that would outlive the message's validity is refused.
 */
export function decideQuietHours(facts: QuietHoursFacts): ComplianceDecision {
  const { purpose, rules, sendAt } = facts;
  if (purpose === 'COMPLIANCE_REPLY' || !rules.quietHours.enabled) return ALLOW;
  if (facts.recipient.length === 0 && facts.fallback.length === 0) return ALLOW;
  const opening =
    (facts.recipient.length > 0 ? nextAllowedAt(facts.recipient, sendAt) : null) ??
    (facts.fallback.length > 0 ? nextAllowedAt(facts.fallback, sendAt) : null);
  if (opening === null) return ALLOW; // no window at all within days: nothing to wait for
  if (opening.getTime() <= sendAt.getTime()) return ALLOW;
  const action = purpose === 'CAMPAIGN' ? 'HOLD' : rules.quietHours.transactionalAction;
  if (action === 'SEND') return ALLOW;
  if (action === 'REFUSE') return reject('QUIET_HOURS');
  if (facts.validUntil && facts.validUntil.getTime() <= opening.getTime()) {
    return reject(
      'QUIET_HOURS',
      "Outside the sending window in the recipient's local time, which opens after the message's validity ends",
    );
  }
  return { kind: 'hold', until: opening };
}
