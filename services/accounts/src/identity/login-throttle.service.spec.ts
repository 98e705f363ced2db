import { rateLimitKey } from '../common/rate-limits';
import { LoginThrottle } from './login-throttle.service';

describe('login throttle keys', () => {
  it('are not the hashes login throttling stores (no joining the two tables)', () => {
    expect(rateLimitKey.email('ada@example.com')).not.toContain(
      LoginThrottle.accountKey('ada@example.com'),
    );
  });
});
