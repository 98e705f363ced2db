import type { Principal } from '@switchboard/auth';
import {
  EdgeRateLimiter,
  edgeRateLimitCheck,
  leaseSize,
  type EdgeRateLimits,
} from './edge-rate-limit';

const limits: EdgeRateLimits = {
  RATE_LIMIT_WINDOW_SECONDS: 60,
  RATE_LIMIT_PER_IP: 3,
  RATE_LIMIT_PER_USER: 5,
  RATE_LIMIT_PER_API_TOKEN: 7,
};
const user = { kind: 'user', userId: 'u1' } as Principal;
const token = { kind: 'api_token', tokenId: 't1' } as Principal;
const device = { kind: 'device', deviceId: 'd1' } as Principal;

describe('the bucket of a request at the edge', () => {
  it('is its API token, its user or device, else its address', () => {
    expect(edgeRateLimitCheck(limits, token, '203.0.113.1')).toEqual({
      key: 'token:t1',
      limit: { max: 7, windowSeconds: 60 },
    });
    expect(edgeRateLimitCheck(limits, user, '203.0.113.1')).toEqual({
      key: 'user:u1',
      limit: { max: 5, windowSeconds: 60 },
    });
    expect(edgeRateLimitCheck(limits, device, '203.0.113.1')?.key).toBe('device:d1');
    expect(edgeRateLimitCheck(limits, undefined, '203.0.113.1')).toEqual({
      key: 'ip:203.0.113.1',
      limit: { max: 3, windowSeconds: 60 },
    });
    expect(edgeRateLimitCheck(limits, undefined, undefined)).toBeUndefined();
  });

  it('refuses with RATE_LIMITED, 429 and Retry-After', async () => {
    const limiter = new EdgeRateLimiter(
      { consume: async () => ({ allowed: false, retryAfterSeconds: 17 }) },
      limits,
    );
    const error = await limiter.admit(user, '203.0.113.1').catch((e: unknown) => e);
    expect(error).toMatchObject({
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 17, http: { status: 429 } },
    });
    const headers = (error as { extensions: { http: { headers: Map<string, string> } } }).extensions
      .http.headers;
    expect(headers.get('retry-after')).toBe('17');
  });

  it('limits nothing without a store', async () => {
    const limiter = new EdgeRateLimiter(undefined, limits);
    expect(limiter.enabled).toBe(false);
    await expect(limiter.admit(undefined, '203.0.113.1')).resolves.toBeUndefined();
  });
});

describe("the size of a replica's next lease of a bucket", () => {
  const limit = { rate: 10, burst: 600 };
  const lease = (over: Partial<Parameters<typeof leaseSize>[0] & object> = {}) => ({
    size: 8,
    used: 8,
    takenAt: 0,
    endsAt: 1000,
    left: 500,
    ...over,
  });

  it('is one token for a bucket not seen for a lease length', () => {
    expect(leaseSize(undefined, 0, limit, 60, 1000)).toBe(1);
    expect(leaseSize(lease(), 2000, limit, 60, 1000)).toBe(1);
  });

  it('doubles when the last lease ran out before its end, up to the cap', () => {
    expect(leaseSize(lease(), 500, limit, 60, 1000)).toBe(16);
    expect(leaseSize(lease({ size: 40 }), 500, limit, 60, 1000)).toBe(60);
  });

  it('is what the last lease served once it ended', () => {
    expect(leaseSize(lease({ used: 3 }), 1200, limit, 60, 1000)).toBe(3);
  });

  it('never asks for more than the bucket had left and refilled since, nor for none', () => {
    expect(leaseSize(lease({ left: 2.5 }), 500, limit, 60, 1000)).toBe(7); // 2.5 + 0.5 s × 10
    expect(leaseSize(lease({ left: 0, takenAt: 900 }), 950, limit, 60, 1000)).toBe(1);
  });
});
