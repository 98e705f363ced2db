// MembersService with in-memory fakes of its injectables: role changes and removals, and the
// last-owner rule, without a database.
import { randomUUID } from 'node:crypto';
import type { Principal } from '@switchboard/auth';
import { ManualClock } from '@switchboard/testing';
import { fakeDataSource, recorder } from '../../test/fakes';
import type { ApiTokensService } from '../api-tokens/api-tokens.service';
import type { MemberRole } from '../domain/role-rules';
import type { AccountsEvents } from '../events/accounts-events';
import type { SessionsService } from '../tokens/sessions.service';
import type { MembershipRecord } from '../organizations/member.record';
import { MembersService } from './members.service';
import type { MembershipsService } from '../organizations/memberships.service';

const ORG = randomUUID();
const OWNER_SCOPES = [
  'messages:send',
  'messages:read',
  'devices:read',
  'devices:manage',
  'contacts:write',
  'billing:read',
  'admin',
] as const;
const userOf = (userId: string, role: 'CUSTOMER' | 'USER'): Principal => ({
  kind: 'user',
  userId,
  orgId: ORG,
  role,
  scopes:
    role === 'CUSTOMER'
      ? OWNER_SCOPES
      : ['messages:send', 'messages:read', 'devices:read', 'contacts:write'],
  sessionId: randomUUID(),
  tokenId: randomUUID(),
});

function newMembers(members: [string, MemberRole][]) {
  const rows: MembershipRecord[] = members.map(([userId, role]) => ({
    orgId: ORG,
    userId,
    role,
    createdAt: new Date(),
  }));
  const sessions = recorder<SessionsService>();
  const events = recorder<AccountsEvents>();
  const revokedTokensOf: string[] = [];
  const memberships = {
    lockOwners: async () => rows.filter((m) => m.role === 'CUSTOMER').length,
    find: async (_tx: unknown, _org: string, userId: string) =>
      rows.find((m) => m.userId === userId),
    updateRole: async (_tx: unknown, _org: string, userId: string, role: MemberRole) => {
      rows.find((m) => m.userId === userId)!.role = role;
    },
    delete: async (_tx: unknown, _org: string, userId: string) => {
      rows.splice(
        rows.findIndex((m) => m.userId === userId),
        1,
      );
    },
    members: async (_tx: unknown, _org: string, ids: string[]) =>
      rows.filter((m) => ids.includes(m.userId)).map((m) => ({ ...m, user: { id: m.userId } })),
  } as unknown as MembershipsService;
  const apiTokens = {
    revokeCreatedBy: async (_tx: unknown, _org: string, userId: string) =>
      void revokedTokensOf.push(userId),
  } as unknown as ApiTokensService;
  const service = new MembersService(
    fakeDataSource(),
    new ManualClock(),
    memberships,
    sessions.fake,
    apiTokens,
    events.fake,
  );
  return { service, rows, sessions, events, revokedTokensOf };
}

describe('MembersService', () => {
  const owner = randomUUID();
  const member = randomUUID();

  it('changes a role and reports it', async () => {
    const t = newMembers([
      [owner, 'CUSTOMER'],
      [member, 'USER'],
    ]);
    const changed = await t.service.updateRole(userOf(owner, 'CUSTOMER'), member, 'CUSTOMER');
    expect(changed.role).toBe('CUSTOMER');
    expect(t.events.calls.map(([name]) => name)).toEqual(['membershipChanged', 'audit']);
  });

  it('never demotes or removes the last owner (LAST_OWNER)', async () => {
    const t = newMembers([
      [owner, 'CUSTOMER'],
      [member, 'USER'],
    ]);
    await expect(
      t.service.updateRole(userOf(owner, 'CUSTOMER'), owner, 'USER'),
    ).rejects.toMatchObject({
      code: 'LAST_OWNER',
    });
    await expect(t.service.remove(userOf(owner, 'CUSTOMER'), owner)).rejects.toMatchObject({
      code: 'LAST_OWNER',
    });
    expect(t.rows.map((m) => m.role)).toEqual(['CUSTOMER', 'USER']);
  });

  it('removes a member: its sessions in the organization end, its API tokens are revoked', async () => {
    const t = newMembers([
      [owner, 'CUSTOMER'],
      [member, 'USER'],
    ]);
    expect(await t.service.remove(userOf(owner, 'CUSTOMER'), member)).toBe(true);
    expect(t.rows.map((m) => m.userId)).toEqual([owner]);
    expect(t.sessions.calls).toEqual([
      [
        'endSessionsOfUser',
        expect.anything(),
        member,
        'removed from organization',
        expect.any(Date),
        ORG,
      ],
    ]);
    expect(t.revokedTokensOf).toEqual([member]);
    expect(t.events.calls.map(([name]) => name)).toEqual(['membershipChanged', 'audit']);
  });

  it('lets a member leave, but not remove someone else (FORBIDDEN)', async () => {
    const t = newMembers([
      [owner, 'CUSTOMER'],
      [member, 'USER'],
    ]);
    await expect(t.service.remove(userOf(member, 'USER'), owner)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await t.service.remove(userOf(member, 'USER'), member)).toBe(true);
    expect(t.events.calls.at(-1)![2]).toMatchObject({ action: 'membership.leave' });
  });

  it('refuses an unknown role or member', async () => {
    const t = newMembers([[owner, 'CUSTOMER']]);
    await expect(
      t.service.updateRole(userOf(owner, 'CUSTOMER'), owner, 'ADMIN'),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      t.service.updateRole(userOf(owner, 'CUSTOMER'), randomUUID(), 'USER'),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
