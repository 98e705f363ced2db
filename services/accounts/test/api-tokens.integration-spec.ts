// API tokens: created once, listed without secrets, exchanged by the gateway for short-lived
// JWTs (POST /internal/token-exchange), revoked.
import { JwtVerifier } from '@switchboard/auth';
import { Topics } from '@switchboard/contracts';
import { EventWatcher, ManualClock } from '@switchboard/testing';
import { decodeJwt } from 'jose';
import {
  signUp,
  startAccounts,
  TEST_INTERNAL_SECRET,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

const CREATE = `mutation ($name: String!, $scopes: [String!]!, $expiresAt: DateTime) {
  createApiToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) {
    token apiToken { id name prefix scopes createdById createdAt lastUsedAt useCount expiresAt revokedAt }
  }
}`;

interface Created {
  token: string;
  apiToken: {
    id: string;
    prefix: string;
    scopes: string[];
    useCount: number;
    lastUsedAt: string | null;
  };
}

describe('API tokens', () => {
  let accounts: AccountsUnderTest;
  let owner: AuthPayload;
  const clock = new ManualClock();
  let tokenEvents: EventWatcher<typeof Topics.accounts.apiToken.schema>;

  beforeAll(async () => {
    tokenEvents = await EventWatcher.start(Topics.accounts.apiToken);
    accounts = await startAccounts({ clock });
    owner = await signUp(accounts);
  });
  afterAll(async () => {
    await accounts?.stop();
    await tokenEvents?.stop();
  });

  const create = async (scopes: string[], expiresAt?: Date) =>
    (
      await accounts.gql.as(owner.accessToken).expectData<{ createApiToken: Created }>(CREATE, {
        name: 'billing server',
        scopes,
        expiresAt: expiresAt?.toISOString(),
      })
    ).createApiToken;

  const exchange = (token: string | undefined, secret: string | null = TEST_INTERNAL_SECRET) =>
    fetch(`${accounts.url}/internal/token-exchange`, {
      method: 'POST',
      headers: {
        ...(secret ? { 'x-internal-secret': secret } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });

  it('shows the secret once; lists prefix, scopes and usage without it', async () => {
    const created = await create(['messages:send', 'messages:read']);
    expect(created.token).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    expect(created.apiToken.prefix).toBe(created.token.slice(0, 12));
    expect(created.apiToken).toMatchObject({
      scopes: ['messages:send', 'messages:read'],
      useCount: 0,
      lastUsedAt: null,
    });
    const list = await accounts.gql
      .as(owner.accessToken)
      .request('{ apiTokens { id prefix scopes useCount } }');
    expect(JSON.stringify(list)).not.toContain(created.token);
    expect(list.data?.apiTokens).toEqual(
      expect.arrayContaining([
        {
          id: created.apiToken.id,
          prefix: created.apiToken.prefix,
          scopes: created.apiToken.scopes,
          useCount: 0,
        },
      ]),
    );
    const event = await tokenEvents.waitFor((e) => e.message.tokenId === created.apiToken.id);
    expect(event.key).toBe(owner.organization.id);
    expect(event.message.event.case).toBe('created');
    expect(
      JSON.stringify(event.message, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    ).not.toContain(created.token);
  });

  it('refuses unknown scopes and an expiry in the past', async () => {
    const asOwner = accounts.gql.as(owner.accessToken);
    expect(await asOwner.errorCodes(CREATE, { name: 'x', scopes: ['messages:delete'] })).toEqual([
      'INVALID_SCOPE',
    ]);
    expect(await asOwner.errorCodes(CREATE, { name: 'x', scopes: [] })).toEqual(['INVALID_SCOPE']);
    expect(
      await asOwner.errorCodes(CREATE, {
        name: 'x',
        scopes: ['messages:read'],
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      }),
    ).toEqual(['INVALID_INPUT']);
  });

  it('exchanges a token for a short-lived api_token JWT that libs/auth accepts, counting the use', async () => {
    const created = await create(['messages:send', 'devices:manage']);
    const response = await exchange(created.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as {
      accessToken: string;
      expiresIn: number;
      tokenType: string;
    };
    expect(body.expiresIn).toBeLessThanOrEqual(300);
    expect(body.tokenType).toBe('Bearer');
    const claims = decodeJwt(body.accessToken);
    expect(claims).toMatchObject({
      typ: 'api_token',
      sub: created.apiToken.id,
      org: owner.organization.id,
      role: 'CUSTOMER',
    });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(300);
    expect(claims.sid).toBeUndefined();

    const verifier = new JwtVerifier({
      jwksUrl: `${accounts.url}/.well-known/jwks.json`,
      issuer: accounts.config.AUTH_ISSUER,
      audience: accounts.config.AUTH_AUDIENCE,
    });
    expect(await verifier.verify(body.accessToken)).toEqual({
      kind: 'api_token',
      tokenId: created.apiToken.id,
      orgId: owner.organization.id,
      scopes: ['messages:send', 'devices:manage'],
      role: 'CUSTOMER',
    });

    const org = await accounts.gql
      .as(body.accessToken)
      .expectData<{ organization: { id: string } }>('{ organization { id } }');
    expect(org.organization.id).toBe(owner.organization.id);

    await exchange(created.token);
    const list = await accounts.gql
      .as(owner.accessToken)
      .expectData<{ apiTokens: { id: string; useCount: number; lastUsedAt: string | null }[] }>(
        '{ apiTokens { id useCount lastUsedAt } }',
      );
    const listed = list.apiTokens.find((t) => t.id === created.apiToken.id)!;
    expect(listed.useCount).toBe(2);
    expect(listed.lastUsedAt).not.toBeNull();
  });

  it('guards the endpoint with the internal secret, and answers 401 problem details for bad tokens', async () => {
    const created = await create(['messages:read']);
    expect((await exchange(created.token, null)).status).toBe(403);
    expect((await exchange(created.token, 'wrong-secret-wrong-secret')).status).toBe(403);
    const unknown = await exchange(`sbk_${'x'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await unknown.json()).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
    expect((await exchange(undefined)).status).toBe(401);
    expect((await exchange('sbr_not-an-api-token')).status).toBe(401);
  });

  it('stops exchanging a revoked token at once, and says so on accounts.api-token.v1', async () => {
    const created = await create(['messages:read']);
    expect((await exchange(created.token)).status).toBe(200);
    const revoked = await accounts.gql
      .as(owner.accessToken)
      .expectData<{ revokeApiToken: { revokedAt: string | null } }>(
        'mutation ($id: ID!) { revokeApiToken(id: $id) { revokedAt } }',
        {
          id: created.apiToken.id,
        },
      );
    expect(revoked.revokeApiToken.revokedAt).not.toBeNull();
    expect((await exchange(created.token)).status).toBe(401);
    const event = await tokenEvents.waitFor(
      (e) => e.message.tokenId === created.apiToken.id && e.message.event.case === 'revoked',
    );
    expect(event.headers.ce_type).toBe('switchboard.accounts.v1.ApiTokenRevoked');
  });

  it('stops exchanging an expired token', async () => {
    const created = await create(['messages:read'], new Date(clock.now().getTime() + 3_600_000));
    expect((await exchange(created.token)).status).toBe(200);
    clock.advance(3_600_001);
    try {
      expect((await exchange(created.token)).status).toBe(401);
    } finally {
      clock.reset();
    }
  });

  it('stops exchanging tokens of a closed organization', async () => {
    const other = await signUp(accounts);
    const created = (
      await accounts.gql
        .as(other.accessToken)
        .expectData<{ createApiToken: Created }>(CREATE, { name: 'x', scopes: ['messages:read'] })
    ).createApiToken;
    expect((await exchange(created.token)).status).toBe(200);
    await accounts.gql
      .as(other.accessToken)
      .expectData('mutation { closeOrganization { status } }');
    expect((await exchange(created.token)).status).toBe(401);
  });
});
