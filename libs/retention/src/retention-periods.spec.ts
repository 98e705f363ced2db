import {
  DEFAULT_RETENTION,
  effectivePeriods,
  monthsBefore,
  retentionCutoffs,
} from './retention-periods';

describe('retention periods', () => {
  it('fills unset (0) values with the seeds’ defaults', () => {
    expect(effectivePeriods(undefined)).toEqual(DEFAULT_RETENTION);
    expect(effectivePeriods({ bodyRetentionDays: 0, metadataRetentionMonths: 6 })).toEqual({
      ...DEFAULT_RETENTION,
      metadataRetentionMonths: 6,
    });
    expect(DEFAULT_RETENTION).toEqual({
      bodyRetentionDays: 7,
      metadataRetentionMonths: 24,
      auditRetentionDays: 90,
      requestLogRetentionDays: 30,
    });
  });

  it('counts calendar months, clamping to the end of a shorter month', () => {
    expect(monthsBefore(new Date('2026-03-31T10:00:00Z'), 1).toISOString()).toBe(
      '2026-02-28T10:00:00.000Z',
    );
    expect(monthsBefore(new Date('2026-11-29T00:00:00Z'), 24).toISOString()).toBe(
      '2024-11-29T00:00:00.000Z',
    );
    expect(monthsBefore(new Date('2024-02-29T00:00:00Z'), 12).toISOString()).toBe(
      '2023-02-28T00:00:00.000Z',
    );
  });

  it('gives the cut-offs at a time', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const cut = retentionCutoffs(DEFAULT_RETENTION, now);
    expect(cut.bodiesBefore.toISOString()).toBe('2026-11-22T12:00:00.000Z');
    expect(cut.metadataBefore.toISOString()).toBe('2024-11-29T12:00:00.000Z');
    expect(cut.auditBefore.toISOString()).toBe('2026-08-31T12:00:00.000Z');
    expect(cut.requestLogsBefore.toISOString()).toBe('2026-10-30T12:00:00.000Z');
  });
});
