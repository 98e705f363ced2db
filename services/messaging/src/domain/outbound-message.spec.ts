import {
  acceptOutbound,
  newOutboundMessage,
  rejectOutbound,
  type OutboundRequest,
} from './outbound-message';

const now = new Date('2030-01-01T12:00:00Z');
const later = new Date('2030-01-01T14:00:00Z');
const end = new Date('2030-01-02T14:00:00Z');

const request: OutboundRequest = {
  id: 'm1',
  orgId: 'o1',
  to: '+14155550123',
  from: null,
  body: 'Hi',
  mediaUrls: [],
  encoding: 'GSM7',
  segments: 1,
  routing: { deviceId: 'd1', simNumber: 2 },
  timing: { scheduledAt: null, validUntil: end },
  campaignId: null,
  idempotencyKey: 'k',
  metadata: { a: 'b' },
};

describe('outbound messages', () => {
  it('starts QUEUED with nothing happened: preferences, timing and key kept', () => {
    expect(newOutboundMessage(request, now)).toMatchObject({
      status: 'QUEUED',
      direction: 'OUTBOUND',
      attempt: 0,
      route: null,
      deviceId: null,
      requestedDeviceId: 'd1',
      requestedSimNumber: 2,
      validUntil: end,
      idempotencyKey: 'k',
      metadata: { a: 'b' },
      queuedAt: null,
      createdAt: now,
    });
  });

  it('is dispatched at once, attempt 1, with an expiry timer', () => {
    const accepted = acceptOutbound(newOutboundMessage(request, now), 'c1', now);
    expect(accepted).toEqual({
      message: expect.objectContaining({
        status: 'QUEUED',
        attempt: 1,
        route: 'DEVICE',
        queuedAt: now,
        conversationId: 'c1',
      }),
      events: [{ kind: 'QUEUED', at: now }],
      dispatch: true,
      timers: [{ kind: 'expire', dueAt: end }],
    });
  });

  it('is held SCHEDULED with a dispatch timer when scheduled', () => {
    const scheduled = newOutboundMessage(
      { ...request, timing: { scheduledAt: later, validUntil: null } },
      now,
    );
    expect(acceptOutbound(scheduled, null, now)).toEqual({
      message: expect.objectContaining({ status: 'SCHEDULED', attempt: 0, scheduledStatusAt: now }),
      events: [
        { kind: 'QUEUED', at: now },
        { kind: 'SCHEDULED', at: now },
      ],
      dispatch: false,
      timers: [{ kind: 'dispatch', dueAt: later }],
    });
  });

  it('is REJECTED with the policy code: no dispatch, no timers', () => {
    const rejected = rejectOutbound(
      newOutboundMessage(request, now),
      { code: 'X', reason: 'why' },
      now,
    );
    expect(rejected).toEqual({
      message: expect.objectContaining({
        status: 'REJECTED',
        rejectedAt: now,
        error: { code: 'X', message: 'why', rawCode: null, rawMessage: null },
      }),
      events: [{ kind: 'REJECTED', at: now }],
      dispatch: false,
      timers: [],
    });
  });
});
