import { rateLimit, strictest, throttle, type Attempt } from './window';

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

describe('request rate limits', () => {
  const hourly = { max: 3, windowSeconds: 3600 };

  it('lets requests through up to the limit within the window', () => {
    expect(rateLimit([], hourly, now)).toEqual({ allowed: true });
    expect(rateLimit([ago(50), ago(10)], hourly, now)).toEqual({ allowed: true });
  });

  it('refuses at the limit until the oldest counted request leaves the window', () => {
    expect(rateLimit([ago(3000), ago(2000), ago(10)], hourly, now)).toEqual({
      allowed: false,
      retryAfterSeconds: 600,
    });
  });

  it('forgets requests older than the window', () => {
    expect(rateLimit([ago(3700), ago(3601), ago(10), ago(5)], hourly, now)).toEqual({
      allowed: true,
    });
  });

  it('with more requests than the limit (a lowered limit), waits for enough of them to expire', () => {
    const requests = [ago(3500), ago(3000), ago(2000), ago(1000), ago(10)];
    expect(rateLimit(requests, hourly, now)).toEqual({ allowed: false, retryAfterSeconds: 1600 });
  });

  it('ignores requests stamped in the future (clock skew between replicas)', () => {
    const future = new Date(now.getTime() + 5000);
    expect(rateLimit([future, future, future], hourly, now)).toEqual({ allowed: true });
  });

  it('is off with a limit of 0', () => {
    expect(rateLimit([ago(1), ago(2), ago(3)], { max: 0, windowSeconds: 3600 }, now)).toEqual({
      allowed: true,
    });
  });

  it('a limit of 1 allows one request per window', () => {
    const once = { max: 1, windowSeconds: 86400 };
    expect(rateLimit([], once, now)).toEqual({ allowed: true });
    expect(rateLimit([ago(3600)], once, now)).toEqual({
      allowed: false,
      retryAfterSeconds: 82800,
    });
  });
});

describe('the strictest of several decisions', () => {
  it('allows only when every limit allows', () => {
    expect(strictest([])).toEqual({ allowed: true });
    expect(strictest([{ allowed: true }, { allowed: true }])).toEqual({ allowed: true });
  });

  it('refuses when any limit refuses, with the longest wait', () => {
    expect(
      strictest([
        { allowed: false, retryAfterSeconds: 30 },
        { allowed: true },
        { allowed: false, retryAfterSeconds: 900 },
      ]),
    ).toEqual({ allowed: false, retryAfterSeconds: 900 });
  });
});
