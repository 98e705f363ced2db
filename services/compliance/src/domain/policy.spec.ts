import { MIN_BODY_RETENTION_DAYS } from '@switchboard/contracts';
import { applyPolicyChange, DEFAULT_POLICY, POLICY_LIMITS } from './policy';

describe('organization policy', () => {
  it("has the seeds' defaults: 08:00–21:00, bodies 7 days, metadata 24 months, audit 90 days", () => {
    expect(DEFAULT_POLICY).toMatchObject({
      quietHoursEnabled: true,
      windowStartMinute: 480,
      windowEndMinute: 1260,
      transactionalAction: 'SEND',
      applyStateRules: true,
      consentRequiredForCampaigns: false,
      bodyRetentionDays: 7,
      metadataRetentionMonths: 24,
      auditRetentionDays: 90,
      requestLogRetentionDays: 30,
    });
    expect(applyPolicyChange(DEFAULT_POLICY, {}).problems).toEqual([]);
  });

  it('keeps body retention at or above what the Kafka topics carrying bodies keep', () => {
    expect(POLICY_LIMITS.bodyRetentionDays[0]).toBe(MIN_BODY_RETENTION_DAYS);
  });

  it('accepts the limits and refuses one past them', () => {
    expect(applyPolicyChange(DEFAULT_POLICY, { auditRetentionDays: 2555 }).problems).toEqual([]);
    expect(applyPolicyChange(DEFAULT_POLICY, { auditRetentionDays: 2556 }).problems).toEqual([
      'auditRetentionDays must be an integer from 1 to 2555',
    ]);
    expect(applyPolicyChange(DEFAULT_POLICY, { bodyRetentionDays: 0 }).problems).toHaveLength(1);
    expect(applyPolicyChange(DEFAULT_POLICY, { bodyRetentionDays: 1.5 }).problems).toHaveLength(1);
    expect(
      applyPolicyChange(DEFAULT_POLICY, { metadataRetentionMonths: 25 }).problems,
    ).toHaveLength(1);
    expect(
      applyPolicyChange(DEFAULT_POLICY, { windowStartMinute: 0, windowEndMinute: 1440 }).problems,
    ).toEqual([]);
  });

  it('refuses a window that ends before it starts', () => {
    expect(applyPolicyChange(DEFAULT_POLICY, { windowStartMinute: 1300 }).problems).toEqual([
      'windowEndMinute must be after windowStartMinute (the window is within a day)',
    ]);
  });

  it('lists the changed fields; an empty reply text returns to the default', () => {
    const custom = applyPolicyChange(DEFAULT_POLICY, {
      helpReply: '  Call us.  ',
      bodyRetentionDays: 7,
    });
    expect(custom.changed).toEqual(['helpReply']);
    expect(custom.settings.helpReply).toBe('Call us.');
    const back = applyPolicyChange(custom.settings, { helpReply: '' });
    expect(back.settings.helpReply).toBeNull();
    expect(applyPolicyChange(DEFAULT_POLICY, { helpReply: 'x'.repeat(460) }).problems).toHaveLength(
      1,
    );
  });
});
