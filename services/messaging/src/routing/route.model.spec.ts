import { toMessageRouteAttemptModels, withImplicitPoolAttempt } from './route.model';
import type { RouteAttemptRecord } from './route.record';

const queuedAt = new Date('2030-01-01T12:00:00Z');
const message = {
  id: 'm-1',
  route: 'DEVICE',
  attempt: 1,
  createdAt: queuedAt,
  queuedAt,
  scheduledAt: null,
};

describe('withImplicitPoolAttempt (the implicit device pool records no attempt row)', () => {
  it("shows a pool message's one attempt, since it was queued", () => {
    expect(withImplicitPoolAttempt([], message)).toEqual([
      {
        messageId: 'm-1',
        attempt: 1,
        routeId: null,
        routeKind: 'DEVICE_POOL',
        startedAt: queuedAt,
        endedAt: null,
        outcome: 'PENDING',
        errorCode: null,
        errorRawCode: null,
        errorRawMessage: null,
      },
    ]);
  });

  it('a scheduled message dispatched later: its scheduled time', () => {
    const at = new Date('2030-01-02T08:00:00Z');
    const [attempt] = withImplicitPoolAttempt([], { ...message, queuedAt: null, scheduledAt: at });
    expect(attempt.startedAt).toEqual(at);
  });

  it('shows nothing for a message no route has (rejected, not dispatched yet, carrier-less)', () => {
    expect(withImplicitPoolAttempt([], { ...message, route: null })).toEqual([]);
    expect(withImplicitPoolAttempt([], { ...message, attempt: 0 })).toEqual([]);
    expect(withImplicitPoolAttempt([], { ...message, route: 'TWILIO' })).toEqual([]);
  });

  it('keeps recorded attempts as they are (routes, and messages stored before)', () => {
    const recorded: RouteAttemptRecord[] = [
      { ...withImplicitPoolAttempt([], message)[0], routeId: 'r-1', outcome: 'WITHDRAWN' },
    ];
    expect(withImplicitPoolAttempt(recorded, message)).toBe(recorded);
  });

  it("follows the message's status like a recorded one", () => {
    const [shown] = toMessageRouteAttemptModels(withImplicitPoolAttempt([], message), 'DELIVERED');
    expect(shown.outcome).toBe('SUCCEEDED');
  });
});
