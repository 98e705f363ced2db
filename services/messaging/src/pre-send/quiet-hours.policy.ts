import { Injectable } from '@nestjs/common';
import {
  isKnownTimeZone,
  recipientWindowRules,
  timeZonesOfNumber,
  usStateOfNumber,
} from '@switchboard/sms';
import { decideQuietHours, purposeOf } from '../domain/compliance-checks';
import { ComplianceFacts } from './compliance-facts';
import { verdictOf } from './compliance-verdict';
import type {
  OutboundDraft,
  PolicyVerdict,
  PreSendContext,
  PreSendPolicy,
} from './pre-send-policy';

/**
 * Quiet hours in the recipient's local time, inferred from the number (libphonenumber's prefix
 * → time zone data; every candidate zone must be inside the window; the state's stricter window
 * too when the organization applies state rules). Outside the window a campaign message is held
 * until it opens (stored SCHEDULED, dispatched by the scheduler, checked again then); a
 * transactional one is sent, refused (REJECTED QUIET_HOURS) or held, as the organization chose;
 * compliance replies always go. A number whose place is unknown falls back on the
 * organization's time zone, and is not held when that is unknown too.
 */
@Injectable()
export class QuietHoursPolicy implements PreSendPolicy {
  readonly name = 'quiet-hours';
  readonly recheckAtDispatch = true;

  constructor(private readonly facts: ComplianceFacts) {}

  async check(draft: Readonly<OutboundDraft>, context: PreSendContext): Promise<PolicyVerdict> {
    const purpose = purposeOf(draft.purpose);
    if (purpose === 'COMPLIANCE_REPLY') return { kind: 'allow' };
    const rules = await this.facts.rules(context);
    if (!rules.quietHours.enabled) return { kind: 'allow' };
    // Sent at any hour: no need to place the recipient.
    if (purpose === 'TRANSACTIONAL' && rules.quietHours.transactionalAction === 'SEND') {
      return { kind: 'allow' };
    }
    const { window, applyStateRules } = rules.quietHours;
    const zones = timeZonesOfNumber(draft.to).filter(isKnownTimeZone);
    const state = applyStateRules ? usStateOfNumber(draft.to) : null;
    const orgZone = context.organization?.timezone;
    const fallbackZones = orgZone && isKnownTimeZone(orgZone) ? [orgZone] : [];
    return verdictOf(
      decideQuietHours({
        purpose,
        rules,
        recipient: recipientWindowRules(zones, window, state),
        fallback: recipientWindowRules(fallbackZones, window, state),
        sendAt: context.sendAt ?? context.now,
        validUntil: context.validUntil ?? null,
      }),
    );
  }
}
