import { callerOf, can, leavesNoOwner, type Caller, type Operation } from './role-rules';

// A platform admin's token carries its membership's scopes (tokens/token-issuer.service.ts):
// libs/auth's scopesOfRole of USER and CUSTOMER.
const MEMBER_SCOPES = ['messages:send', 'messages:read', 'devices:read', 'contacts:write'];
const OWNER_SCOPES = [...MEMBER_SCOPES, 'devices:manage', 'billing:read', 'admin'];
const adminMember: Caller = { kind: 'user', role: 'ADMIN', scopes: MEMBER_SCOPES };
const adminOwner: Caller = { kind: 'user', role: 'ADMIN', scopes: OWNER_SCOPES };
const owner: Caller = { kind: 'user', role: 'CUSTOMER' };
const member: Caller = { kind: 'user', role: 'USER' };
const apiToken: Caller = { kind: 'api_token' };
const device: Caller = { kind: 'device' };
const service: Caller = { kind: 'service' };

// operation, CUSTOMER, USER, API token. A platform admin is its membership.
const matrix: [Operation, boolean, boolean, boolean][] = [
  ['me.read', true, true, false],
  ['session.manage', true, true, false],
  ['organization.read', true, true, true],
  ['organizations.mine', true, true, false],
  ['organization.update', true, false, false],
  ['organization.close', true, false, false],
  ['members.read', true, true, false],
  ['members.manage', true, false, false],
  ['members.leave', true, true, false],
  ['apiTokens.manage', true, false, false],
];

const adminOwnerLike: Caller = { kind: 'user', role: 'ADMIN', scopes: ['admin'] };

describe('role rules', () => {
  it.each(matrix)('%s: CUSTOMER %s, USER %s, API token %s', (op, c, u, t) => {
    expect([can(owner, op), can(member, op), can(apiToken, op)]).toEqual([c, u, t]);
  });

  it.each(matrix)(
    '%s: a platform admin has its membership role in its organization, no more',
    (op, c, u) => {
      expect(can(adminOwner, op)).toBe(c);
      expect(can(adminMember, op)).toBe(u);
      expect(can({ kind: 'user', role: 'ADMIN' }, op)).toBe(false);
    },
  );

  it('reads callers from principals', () => {
    expect(callerOf({ kind: 'user', role: 'ADMIN', scopes: ['admin'] })).toEqual(adminOwnerLike);
    expect(callerOf({ kind: 'api_token', role: 'USER', scopes: [] })).toEqual(apiToken);
  });

  it('lets devices and services do nothing here', () => {
    for (const [op] of matrix) {
      expect(can(device, op)).toBe(false);
      expect(can(service, op)).toBe(false);
    }
  });

  it.each([
    [1, 'CUSTOMER', 'USER', true],
    [1, 'CUSTOMER', 'REMOVED', true],
    [2, 'CUSTOMER', 'USER', false],
    [2, 'CUSTOMER', 'REMOVED', false],
    [1, 'CUSTOMER', 'CUSTOMER', false],
    [1, 'USER', 'REMOVED', false],
    [1, 'USER', 'CUSTOMER', false],
  ] as const)('with %i owner(s), %s → %s leaves no owner: %s', (owners, from, to, expected) => {
    expect(leavesNoOwner(owners, { from, to })).toBe(expected);
  });
});
