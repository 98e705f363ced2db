import {
  checkPriority,
  messagePriority,
  MESSAGE_PRIORITY,
  SETTABLE_PRIORITY,
} from './message-priority';

describe('messagePriority', () => {
  it('puts compliance replies before transactional sends before campaign messages', () => {
    expect(messagePriority('COMPLIANCE_REPLY')).toBeGreaterThan(messagePriority('TRANSACTIONAL'));
    expect(messagePriority('TRANSACTIONAL')).toBeGreaterThan(messagePriority('CAMPAIGN'));
    for (const purpose of ['CAMPAIGN', 'TRANSACTIONAL', 'COMPLIANCE_REPLY'] as const) {
      expect(messagePriority(purpose)).toBeGreaterThanOrEqual(0);
      expect(messagePriority(purpose)).toBeLessThanOrEqual(100);
    }
  });

  it('takes the priority asked for over the purpose default', () => {
    expect(messagePriority('TRANSACTIONAL', 80)).toBe(80);
    expect(messagePriority('CAMPAIGN', 0)).toBe(0);
    expect(messagePriority('CAMPAIGN', null)).toBe(MESSAGE_PRIORITY.CAMPAIGN);
  });
});

describe('checkPriority', () => {
  it('accepts no priority (the default) and integers in the range', () => {
    expect(checkPriority('TRANSACTIONAL', undefined)).toEqual({ ok: true, priority: null });
    expect(checkPriority('TRANSACTIONAL', null)).toEqual({ ok: true, priority: null });
    expect(checkPriority('TRANSACTIONAL', 0)).toEqual({ ok: true, priority: 0 });
    expect(checkPriority('TRANSACTIONAL', 89)).toEqual({ ok: true, priority: 89 });
    expect(checkPriority('CAMPAIGN', 49)).toEqual({ ok: true, priority: 49 });
  });

  it('never lets an API caller claim the compliance replies’ level', () => {
    expect(SETTABLE_PRIORITY.TRANSACTIONAL.max).toBeLessThan(MESSAGE_PRIORITY.COMPLIANCE_REPLY);
    expect(checkPriority('TRANSACTIONAL', 90).ok).toBe(false);
    expect(checkPriority('TRANSACTIONAL', 100).ok).toBe(false);
  });

  it('keeps campaigns below the transactional default', () => {
    expect(SETTABLE_PRIORITY.CAMPAIGN.max).toBeLessThan(MESSAGE_PRIORITY.TRANSACTIONAL);
    expect(checkPriority('CAMPAIGN', 50)).toEqual({
      ok: false,
      reason: "A campaign's priority is an integer from 0 to 49",
    });
  });

  it('refuses negative and fractional values', () => {
    expect(checkPriority('TRANSACTIONAL', -1).ok).toBe(false);
    expect(checkPriority('TRANSACTIONAL', 10.5).ok).toBe(false);
    expect(checkPriority('CAMPAIGN', Number.NaN).ok).toBe(false);
  });
});
