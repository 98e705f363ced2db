import { roleOf } from './role';

describe('the caller’s role', () => {
  it('is the role of the member with the caller’s id', () => {
    const members = [
      { role: 'CUSTOMER' as const, user: { id: 'u1' } },
      { role: 'USER' as const, user: { id: 'u2' } },
    ];
    expect(roleOf('u2', members)).toBe('USER');
    expect(roleOf('u1', members)).toBe('CUSTOMER');
    expect(roleOf('u3', members)).toBeUndefined();
  });
});
