import { recipientWindowRules } from '@switchboard/sms';
import {
  decideConsent,
  decideDnd,
  decideOptOut,
  decideQuietHours,
  DEFAULT_COMPLIANCE_RULES,
  purposeOf,
  type OrganizationComplianceRules,
  type QuietHoursFacts,
} from './compliance-checks';
import type { SendPurpose } from './message';

const PURPOSES: SendPurpose[] = ['TRANSACTIONAL', 'CAMPAIGN', 'COMPLIANCE_REPLY'];
const clean = { optedOut: false, consent: false, dnd: false };

describe('decideOptOut', () => {
  it.each(PURPOSES)('%s to a number that opted out', (purpose) => {
    const decision = decideOptOut(purpose, { ...clean, optedOut: true });
    if (purpose === 'COMPLIANCE_REPLY') expect(decision).toEqual({ kind: 'allow' });
    else expect(decision).toMatchObject({ kind: 'reject', code: 'OPTED_OUT' });
  });
  it.each(PURPOSES)('%s to a number with no state, or opted in again', (purpose) => {
    expect(decideOptOut(purpose, undefined)).toEqual({ kind: 'allow' });
    expect(decideOptOut(purpose, clean)).toEqual({ kind: 'allow' });
  });
});

describe('decideDnd', () => {
  it.each(PURPOSES)('%s to a DND contact', (purpose) => {
    const decision = decideDnd(purpose, { ...clean, dnd: true });
    if (purpose === 'COMPLIANCE_REPLY') expect(decision).toEqual({ kind: 'allow' });
    else expect(decision).toMatchObject({ kind: 'reject', code: 'DND' });
  });
  it('nothing without the flag', () => {
    expect(decideDnd('CAMPAIGN', { ...clean, optedOut: true })).toEqual({ kind: 'allow' });
  });
});

describe('decideConsent', () => {
  const requiring: OrganizationComplianceRules = {
    ...DEFAULT_COMPLIANCE_RULES,
    consentRequiredForCampaigns: true,
  };
  it('refuses a campaign message without consent when the organization requires it', () => {
    expect(decideConsent('CAMPAIGN', requiring, undefined)).toMatchObject({
      kind: 'reject',
      code: 'NO_CONSENT',
    });
    expect(decideConsent('CAMPAIGN', requiring, clean)).toMatchObject({ code: 'NO_CONSENT' });
  });
  it('lets it through with consent, when not required, or for other purposes', () => {
    expect(decideConsent('CAMPAIGN', requiring, { ...clean, consent: true })).toEqual({
      kind: 'allow',
    });
    expect(decideConsent('CAMPAIGN', DEFAULT_COMPLIANCE_RULES, undefined)).toEqual({
      kind: 'allow',
    });
    expect(decideConsent('TRANSACTIONAL', requiring, undefined)).toEqual({ kind: 'allow' });
    expect(decideConsent('COMPLIANCE_REPLY', requiring, undefined)).toEqual({ kind: 'allow' });
  });
});

describe('purposeOf', () => {
  it('reads null as TRANSACTIONAL', () => {
    expect(purposeOf(null)).toBe('TRANSACTIONAL');
    expect(purposeOf('CAMPAIGN')).toBe('CAMPAIGN');
  });
});

describe('decideQuietHours', () => {
  const NY = recipientWindowRules(['America/New_York'], { startMinute: 480, endMinute: 1260 });
  const night = new Date('2030-01-15T03:00:00Z'); // 22:00 in New York
  const day = new Date('2030-01-15T15:00:00Z'); // 10:00
  const opening = new Date('2030-01-15T13:00:00Z'); // 08:00
  const facts = (over: Partial<QuietHoursFacts> = {}): QuietHoursFacts => ({
    purpose: 'CAMPAIGN',
    rules: DEFAULT_COMPLIANCE_RULES,
    recipient: NY,
    fallback: [],
    sendAt: night,
    validUntil: null,
    ...over,
  });
  const withAction = (action: 'SEND' | 'REFUSE' | 'HOLD'): OrganizationComplianceRules => ({
    ...DEFAULT_COMPLIANCE_RULES,
    quietHours: { ...DEFAULT_COMPLIANCE_RULES.quietHours, transactionalAction: action },
  });

  it('inside the window everything goes', () => {
    for (const purpose of PURPOSES) {
      expect(decideQuietHours(facts({ purpose, sendAt: day }))).toEqual({ kind: 'allow' });
    }
  });

  it('outside it a campaign message is held until the window opens', () => {
    expect(decideQuietHours(facts())).toEqual({ kind: 'hold', until: opening });
  });

  it('a transactional message is sent, refused or held as the organization chose', () => {
    const transactional = (action: 'SEND' | 'REFUSE' | 'HOLD') =>
      decideQuietHours(facts({ purpose: 'TRANSACTIONAL', rules: withAction(action) }));
    expect(transactional('SEND')).toEqual({ kind: 'allow' });
    expect(transactional('REFUSE')).toMatchObject({ kind: 'reject', code: 'QUIET_HOURS' });
    expect(transactional('HOLD')).toEqual({ kind: 'hold', until: opening });
  });

  it('a compliance reply always goes', () => {
    expect(
      decideQuietHours(facts({ purpose: 'COMPLIANCE_REPLY', rules: withAction('REFUSE') })),
    ).toEqual({ kind: 'allow' });
  });

  it('no window when the organization turned quiet hours off', () => {
    const off = {
      ...DEFAULT_COMPLIANCE_RULES,
      quietHours: { ...DEFAULT_COMPLIANCE_RULES.quietHours, enabled: false },
    };
    expect(decideQuietHours(facts({ rules: off }))).toEqual({ kind: 'allow' });
  });

  it('a hold that would outlive the validity is refused', () => {
    expect(decideQuietHours(facts({ validUntil: new Date('2030-01-15T12:00:00Z') }))).toMatchObject(
      { kind: 'reject', code: 'QUIET_HOURS' },
    );
  });

  it("an unknown place: the organization's zone, else no hold", () => {
    const fallback = recipientWindowRules(['Asia/Tokyo'], { startMinute: 480, endMinute: 1260 });
    // 03:00Z is 12:00 in Tokyo: inside.
    expect(decideQuietHours(facts({ recipient: [], fallback }))).toEqual({ kind: 'allow' });
    expect(decideQuietHours(facts({ recipient: [], fallback: [] }))).toEqual({ kind: 'allow' });
  });

  it('zones whose windows never meet fall back on the organization zone', () => {
    const narrow = { startMinute: 600, endMinute: 660 };
    const apart = recipientWindowRules(['Pacific/Kiritimati', 'Pacific/Pago_Pago'], narrow);
    const fallback = recipientWindowRules(['America/New_York'], narrow);
    expect(decideQuietHours(facts({ recipient: apart, fallback }))).toEqual({
      kind: 'hold',
      until: new Date('2030-01-15T15:00:00Z'),
    });
  });
});
