import { campaignPercent, formatDuration, formatEta, progressParts } from './campaign-progress';

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

describe('progressParts', () => {
  const zero = {
    recipientsTotal: 10,
    messagesSent: 0,
    messagesDelivered: 0,
    messagesFailed: 0,
    messagesRejected: 0,
    messagesExpired: 0,
    sendErrors: 0,
  };
  it('splits the recipients so the parts add up to them', () => {
    const parts = progressParts({
      ...zero,
      messagesSent: 5,
      messagesDelivered: 3,
      messagesFailed: 1,
      messagesRejected: 1,
      sendErrors: 1,
    });
    expect(parts).toEqual({
      delivered: 3,
      sent: 2,
      failed: 1,
      rejected: 2,
      expired: 0,
      pending: 2,
    });
    expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBe(10);
  });
  it('never shows negative parts when counters run ahead of the total', () => {
    expect(
      progressParts({ ...zero, recipientsTotal: 1, messagesSent: 1, messagesDelivered: 2 }),
    ).toEqual({ delivered: 2, sent: 0, failed: 0, rejected: 0, expired: 0, pending: 0 });
  });
});

describe('formatDuration', () => {
  it('rounds up to seconds, minutes, hours', () => {
    expect(formatDuration(0)).toBe('none');
    expect(formatDuration(44.2)).toBe('about 45 s');
    expect(formatDuration(120)).toBe('about 2 min');
    expect(formatDuration(7500)).toBe('about 2 h 5 min');
  });
});
