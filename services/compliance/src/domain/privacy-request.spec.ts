import { isComplete, maskedNumber, privacyRequestRefusal, type Subject } from './privacy-request';

const user: Subject = { kind: 'USER', userId: 'u1' };
const phone: Subject = { kind: 'PHONE_NUMBER', phoneNumber: '+14155550142' };
const org: Subject = { kind: 'ORGANIZATION' };
const owner = { userId: 'o1', isOwner: true };
const member = { userId: 'u1', isOwner: false };
const otherMember = { userId: 'u2', isOwner: false };

describe('privacy requests: who may ask', () => {
  it.each([
    ['EXPORT', user, member, undefined, undefined],
    ['EXPORT', user, owner, undefined, undefined],
    ['EXPORT', user, otherMember, undefined, 'FORBIDDEN'],
    ['EXPORT', org, owner, undefined, undefined],
    ['EXPORT', org, member, undefined, 'FORBIDDEN'],
    ['EXPORT', phone, owner, undefined, undefined],
    ['EXPORT', phone, { isOwner: true }, undefined, undefined],
    ['EXPORT', phone, member, undefined, 'FORBIDDEN'],
    ['ERASURE', user, member, 'u1', undefined],
    ['ERASURE', user, member, undefined, 'CONFIRMATION_REQUIRED'],
    ['ERASURE', user, member, 'u2', 'CONFIRMATION_REQUIRED'],
    ['ERASURE', user, owner, 'u1', 'FORBIDDEN'],
    ['ERASURE', phone, owner, '+14155550142', undefined],
    ['ERASURE', phone, owner, '+14155550143', 'CONFIRMATION_REQUIRED'],
    ['ERASURE', phone, member, '+14155550142', 'FORBIDDEN'],
    ['ERASURE', org, owner, '', 'INVALID_SUBJECT'],
  ] as const)(
    '%s of %o by %o (confirmation %p) → %p',
    (kind, subject, caller, confirmation, code) => {
      expect(privacyRequestRefusal(kind, subject, caller, confirmation)?.code).toBe(code);
    },
  );
});

describe('privacy requests: completeness', () => {
  const p = (done: boolean, chunks: number | null, chunksReceived: number) => ({
    service: 's',
    done,
    chunks,
    chunksReceived,
  });

  it('waits for every service, and for an export for every chunk', () => {
    expect(isComplete('EXPORT', [])).toBe(false);
    expect(isComplete('EXPORT', [p(true, 2, 2), p(false, null, 5)])).toBe(false);
    expect(isComplete('EXPORT', [p(true, 2, 1)])).toBe(false);
    expect(isComplete('EXPORT', [p(true, 2, 2), p(true, 0, 0)])).toBe(true);
    expect(isComplete('ERASURE', [p(true, null, 0), p(true, null, 0)])).toBe(true);
    expect(isComplete('ERASURE', [p(true, null, 0), p(false, null, 0)])).toBe(false);
  });

  it('masks an erased number', () => {
    expect(maskedNumber('+14155550142')).toBe('+1••••••••42');
  });
});
