import { campaignPercent, formatEta } from './campaign-progress';

describe('campaign progress', () => {
  it('counts sent, failed and rejected messages against all recipients', () => {
    const base = { recipientsTotal: 200, messagesSent: 0, messagesFailed: 0, messagesRejected: 0 };
    expect(campaignPercent(base)).toBe(0);
    expect(
      campaignPercent({ ...base, messagesSent: 90, messagesFailed: 5, messagesRejected: 5 }),
    ).toBe(50);
    expect(campaignPercent({ ...base, messagesSent: 250 })).toBe(100);
    expect(campaignPercent({ ...base, recipientsTotal: 0 })).toBe(0);
  });

  it('formats the ETA in minutes and hours', () => {
    expect(formatEta(0)).toBe('done');
    expect(formatEta(1)).toBe('ETA 1 min');
    expect(formatEta(59 * 60)).toBe('ETA 59 min');
    expect(formatEta(65 * 60)).toBe('ETA 1 h 5 min');
  });
});
