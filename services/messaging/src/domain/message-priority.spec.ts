import { messagePriority } from './message-priority';

describe('messagePriority', () => {
  it('puts compliance replies before transactional sends before campaign messages', () => {
    expect(messagePriority('COMPLIANCE_REPLY')).toBeGreaterThan(messagePriority('TRANSACTIONAL'));
    expect(messagePriority('TRANSACTIONAL')).toBeGreaterThan(messagePriority('CAMPAIGN'));
    for (const purpose of ['CAMPAIGN', 'TRANSACTIONAL', 'COMPLIANCE_REPLY'] as const) {
      expect(messagePriority(purpose)).toBeGreaterThanOrEqual(0);
      expect(messagePriority(purpose)).toBeLessThanOrEqual(100);
    }
  });
});
