import { normalizeEventTypes } from './webhook-event-types';

describe('webhook event types', () => {
  it('dedupes and orders known types; refuses empty or unknown lists', () => {
    expect(
      normalizeEventTypes(['message.received', 'message.status_changed', 'message.received']),
    ).toEqual(['message.status_changed', 'message.received']);
    expect(normalizeEventTypes([])).toBeUndefined();
    expect(normalizeEventTypes(['message.received', 'nope'])).toBeUndefined();
  });
});
