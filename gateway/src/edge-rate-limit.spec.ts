import type { Principal } from '@switchboard/auth';
import { EdgeRateLimiter, edgeRateLimitCheck, type EdgeRateLimits } from './edge-rate-limit';

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
