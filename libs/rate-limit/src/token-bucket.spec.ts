import { bucketRetryAfterSeconds } from './token-bucket';

describe('bucketRetryAfterSeconds', () => {
  it('is the time the refill needs to reach one token, rounded up', () => {
    expect(bucketRetryAfterSeconds(-1, 2)).toBe(1); // half a second at 2/s
    expect(bucketRetryAfterSeconds(-1, 0.25)).toBe(4);
    expect(bucketRetryAfterSeconds(-0.3, 0.1)).toBe(3);
  });

  it('is never less than a second', () => {
    expect(bucketRetryAfterSeconds(-0.01, 100)).toBe(1);
  });
});
