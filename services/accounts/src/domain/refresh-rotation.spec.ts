import { decideRefresh } from './refresh-rotation';

const now = new Date('2030-01-01T12:00:00Z');
const later = new Date('2030-01-31T12:00:00Z');
const earlier = new Date('2030-01-01T11:00:00Z');

describe('refresh token rotation', () => {
  it.each([
    [
      'a current token rotates',
      { expiresAt: later, rotatedAt: null, revokedAt: null },
      { revokedAt: null },
      'rotate',
    ],
    [
      'an already rotated token is a reuse',
      { expiresAt: later, rotatedAt: earlier, revokedAt: null },
      { revokedAt: null },
      'reuse',
    ],
    [
      'a rotated token of a revoked family is a reuse',
      { expiresAt: later, rotatedAt: earlier, revokedAt: earlier },
      { revokedAt: earlier },
      'reuse',
    ],
    [
      'a current token of a revoked family is refused',
      { expiresAt: later, rotatedAt: null, revokedAt: earlier },
      { revokedAt: earlier },
      'revoked',
    ],
    [
      'a token revoked alone is refused',
      { expiresAt: later, rotatedAt: null, revokedAt: earlier },
      { revokedAt: null },
      'revoked',
    ],
    [
      'an expired token is refused',
      { expiresAt: earlier, rotatedAt: null, revokedAt: null },
      { revokedAt: null },
      'expired',
    ],
    [
      'a token expiring this instant is refused',
      { expiresAt: now, rotatedAt: null, revokedAt: null },
      { revokedAt: null },
      'expired',
    ],
    [
      'an expired and rotated token is still a reuse',
      { expiresAt: earlier, rotatedAt: earlier, revokedAt: null },
      { revokedAt: null },
      'reuse',
    ],
  ] as const)('%s', (_name, token, session, decision) => {
    expect(decideRefresh(token, session, now)).toBe(decision);
  });
});
