import { messageStatusOfCarrier, telnyxStatus, twilioStatus } from './carrier-status';

describe('carrier statuses', () => {
  it.each([
    ['accepted', 'QUEUED'],
    ['scheduled', 'QUEUED'],
    ['queued', 'QUEUED'],
    ['sending', 'QUEUED'],
    ['sent', 'SENT'],
    ['delivered', 'DELIVERED'],
    ['read', 'DELIVERED'],
    ['partially_delivered', 'DELIVERED'],
    ['undelivered', 'FAILED'],
    ['failed', 'FAILED'],
    ['canceled', 'FAILED'],
    ['receiving', undefined],
    ['received', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('Twilio %s → %s', (raw, status) => {
    expect(twilioStatus(raw)).toBe(status);
  });

  it.each([
    ['queued', 'QUEUED'],
    ['sending', 'QUEUED'],
    ['sent', 'SENT'],
    ['delivery_unconfirmed', 'SENT'],
    ['delivered', 'DELIVERED'],
    ['sending_failed', 'FAILED'],
    ['delivery_failed', 'FAILED'],
    ['expired', 'FAILED'],
    ['webhook_delivered', undefined],
  ])('Telnyx %s → %s', (raw, status) => {
    expect(telnyxStatus(raw)).toBe(status);
  });

  it('a QUEUED report changes nothing; the others name the message status', () => {
    expect(messageStatusOfCarrier('QUEUED')).toBeNull();
    expect(messageStatusOfCarrier('SENT')).toBe('SENT');
    expect(messageStatusOfCarrier('DELIVERED')).toBe('DELIVERED');
    expect(messageStatusOfCarrier('FAILED')).toBe('FAILED');
  });

  it('is case-insensitive', () => {
    expect(twilioStatus('Delivered')).toBe('DELIVERED');
    expect(telnyxStatus(' DELIVERED ')).toBe('DELIVERED');
  });
});
