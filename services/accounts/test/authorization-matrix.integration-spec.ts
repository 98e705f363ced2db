// Who may call what: every Query and Mutation field of the accounts subgraph, called as every
// kind of caller (generated from the schema and the resolvers' auth decorators; see
// libs/testing/src/authorization-matrix.ts). Accounts authorizes through its role table
// (domain/role-rules.ts, `@Allow(operation)`), so the matrix names the operation and the
// table decides. A new field fails here until it is listed below. authorization.integration-
// spec.ts keeps the hand-written cases: tenant isolation and platform admins' audit.
import { scopesOfRole } from '@switchboard/auth';
import {
  describeAuthorizationMatrix,
  FEDERATION,
  PUBLIC,
  requiresPlatformAdmin,
  type AuthorizationMatrix,
  type MatrixCaller,
  type MatrixTarget,
} from '@switchboard/testing';
import { can, type Caller, type Operation } from '../src/domain/role-rules';
import {
  addMember,
  logIn,
  makePlatformAdmin,
  signUp,
  startAccounts,
  TEST_INTERNAL_SECRET,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

const allow = (operation: Operation) => ({ permission: operation });

const matrix: AuthorizationMatrix = {
  service: 'accounts',
  permission: {
    metadataKey: 'accounts:permission',
    admits: (operation, caller) => can(callerOf(caller), operation as Operation),
  },
  fields: {
    'Query.me': allow('me.read'),
    'Query.organization': allow('organization.read'),
    'Query.myOrganizations': allow('organizations.mine'),
    'Query.invitations': allow('members.manage'),
    'Query.apiTokens': allow('apiTokens.manage'),
    'Query.googleSignInUrl': PUBLIC,
    'Query.adminOrganizations': requiresPlatformAdmin('organization.list'),
    'Query.adminOrganization': requiresPlatformAdmin('organization.read'),
    'Mutation.signUp': PUBLIC,
    'Mutation.logIn': PUBLIC,
    'Mutation.refreshSession': PUBLIC,
    'Mutation.requestPasswordReset': PUBLIC,
    'Mutation.resetPassword': PUBLIC,
    'Mutation.verifyEmail': PUBLIC,
    'Mutation.acceptInvitation': PUBLIC,
    'Mutation.signInWithGoogle': PUBLIC,
    // These end the caller's sessions or close its organization: each call gets its own.
    'Mutation.logOut': { ...allow('session.manage'), freshToken: true },
    'Mutation.logOutEverywhere': { ...allow('session.manage'), freshToken: true },
    'Mutation.closeOrganization': { ...allow('organization.close'), freshToken: true },
    'Mutation.resendVerificationEmail': allow('session.manage'),
    'Mutation.changePassword': allow('session.manage'),
    'Mutation.cancelOrganizationClosure': allow('organization.close'),
    'Mutation.updateOrganization': allow('organization.update'),
    'Mutation.inviteMember': allow('members.manage'),
    'Mutation.revokeInvitation': allow('members.manage'),
    'Mutation.updateMemberRole': allow('members.manage'),
    'Mutation.removeMember': {
      ...allow('members.leave'),
      serviceRefuses: {
        USER: 'a member removes only themselves; others are for the owner',
        ADMIN: 'a platform admin who is a member likewise',
      },
    },
    'Mutation.createApiToken': allow('apiTokens.manage'),
    'Mutation.revokeApiToken': allow('apiTokens.manage'),
    'Query._entities': FEDERATION,
    'Query._service': FEDERATION,
  },
};

function callerOf(caller: MatrixCaller): Caller {
  // The ADMIN caller (sessionOf below) is a platform admin who is a plain member of the
  // organization: its token carries a member's scopes, and it has a member's powers.
  if (caller.kind === 'user' && caller.role === 'ADMIN')
    return { kind: 'user', role: 'ADMIN', scopes: scopesOfRole.USER };
  if (caller.kind === 'user') return { kind: 'user', role: caller.role };
  if (caller.kind === 'api_token') return { kind: 'api_token' };
  return { kind: 'device' };
}

describe('accounts authorization matrix', () => {
  let accounts: AccountsUnderTest;
  let owner: AuthPayload;
  let target: MatrixTarget;

  beforeAll(async () => {
    accounts = await startAccounts();
    owner = await signUp(accounts);
    target = { app: accounts.app, client: accounts.gql, tokenFor };
  });

  afterAll(async () => {
    await accounts?.stop();
  });

  /** A session of `role`; fresh ones in an organization of their own. */
  async function sessionOf(role: 'USER' | 'CUSTOMER' | 'ADMIN', fresh: boolean) {
    const org = fresh ? await signUp(accounts) : owner;
    if (role === 'CUSTOMER') return org;
    const member = await addMember(accounts, org, 'USER');
    if (role === 'USER') return member;
    await makePlatformAdmin(accounts.db, member.user.id);
    return logIn(accounts, member.user.email);
  }

  async function apiTokenOf(scopes: readonly string[]): Promise<string> {
    const created = await accounts.gql
      .as(owner.accessToken)
      .expectData<{ createApiToken: { token: string } }>(
        'mutation ($s: [String!]!) { createApiToken(name: "matrix", scopes: $s) { token } }',
        { s: scopes },
      );
    const exchanged = await fetch(`${accounts.url}/internal/token-exchange`, {
      method: 'POST',
      headers: {
        'x-internal-secret': TEST_INTERNAL_SECRET,
        authorization: `Bearer ${created.createApiToken.token}`,
      },
    });
    expect(exchanged.status).toBe(200);
    return ((await exchanged.json()) as { accessToken: string }).accessToken;
  }

  async function tokenFor(
    caller: MatrixCaller,
    { fresh }: { fresh: boolean },
  ): Promise<string | undefined> {
    switch (caller.kind) {
      case 'user':
        return (await sessionOf(caller.role, fresh)).accessToken;
      case 'api_token':
        return apiTokenOf(caller.scopes);
      default:
        return undefined;
    }
  }

  describeAuthorizationMatrix(matrix, () => target);
});
