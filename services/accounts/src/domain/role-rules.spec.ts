import { can, leavesNoOwner, type Caller, type Operation } from './role-rules';

const admin: Caller = { kind: 'user', role: 'ADMIN' };
const owner: Caller = { kind: 'user', role: 'CUSTOMER' };
const member: Caller = { kind: 'user', role: 'USER' };
const apiToken: Caller = { kind: 'api_token' };
const device: Caller = { kind: 'device' };
const service: Caller = { kind: 'service' };

// operation, ADMIN, CUSTOMER, USER, API token
const matrix: [Operation, boolean, boolean, boolean, boolean][] = [
  ['me.read', true, true, true, false],
  ['session.manage', true, true, true, false],
  ['organization.read', true, true, true, true],
  ['organizations.mine', true, true, true, false],
  ['organization.update', true, true, false, false],
  ['organization.close', true, true, false, false],
  ['members.read', true, true, true, false],
  ['members.manage', true, true, false, false],
  ['members.leave', true, true, true, false],
  ['apiTokens.manage', true, true, false, false],
];

describe('role rules', () => {
  it.each(matrix)('%s: ADMIN %s, CUSTOMER %s, USER %s, API token %s', (op, a, c, u, t) => {
    expect([can(admin, op), can(owner, op), can(member, op), can(apiToken, op)]).toEqual([
      a,
      c,
      u,
      t,
    ]);
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
