import { throttle, type Attempt } from './throttle';

const now = new Date('2030-01-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const fail = (s: number): Attempt => ({ at: ago(s), succeeded: false });
const ok = (s: number): Attempt => ({ at: ago(s), succeeded: true });
const perAccount = { maxFailures: 3, windowSeconds: 600, resetOnSuccess: true };
const perIp = { ...perAccount, resetOnSuccess: false };

describe('login throttling', () => {
  it('allows attempts under the limit', () => {
    expect(throttle([fail(10), fail(5)], perAccount, now)).toEqual({ allowed: true });
  });

  it('blocks at the limit until the oldest counted failure leaves the window', () => {
    expect(throttle([fail(300), fail(200), fail(100)], perAccount, now)).toEqual({
      allowed: false,
      retryAfterSeconds: 300,
    });
  });

  it('counts only the failures inside the window', () => {
    expect(throttle([fail(700), fail(650), fail(100)], perAccount, now)).toEqual({ allowed: true });
  });

  it('forgets failures before a success per account, not per IP', () => {
    const attempts = [fail(300), fail(250), ok(200), fail(100)];
    expect(throttle(attempts, perAccount, now)).toEqual({ allowed: true });
    expect(throttle(attempts, perIp, now)).toEqual({ allowed: false, retryAfterSeconds: 300 });
  });

  it('with more failures than the limit, waits for enough of them to expire', () => {
    expect(throttle([fail(500), fail(400), fail(300), fail(200)], perAccount, now)).toEqual({
      allowed: false,
      retryAfterSeconds: 200,
    });
  });

  it('never asks to wait less than a second', () => {
    expect(throttle([fail(600 - 0.2), fail(1), fail(1)], perAccount, now)).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
  });
});
