import type { INestApplication } from '@nestjs/common';
import { CommonErrorCode, DomainException } from '@switchboard/errors';
import { Strategy } from 'passport-jwt';
import { JwtVerifier, TokenRejection, type TokenRejectionReason } from '../src';
import { MemoryAuditSink, MISSING_ORG, startProbeApp } from './probe-app';
import {
  accessToken,
  AUDIENCE,
  claims,
  hmacWithPublicKey,
  ISSUER,
  JwksServer,
  now,
  ORG,
  signingKey,
  unsignedToken,
  type TestSigningKey,
} from './token-kit';

const TARGET_ORG = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

let jwks: JwksServer;
let key1: TestSigningKey;
let key2: TestSigningKey;
let stranger: TestSigningKey;
let impostor: TestSigningKey;

beforeAll(async () => {
  [key1, key2, stranger, impostor] = await Promise.all([
    signingKey('key-1'),
    signingKey('key-2'),
    signingKey('ghost'),
    signingKey('key-1'), // another key pair claiming the published kid
  ]);
  jwks = new JwksServer();
  await jwks.start();
  jwks.publish(key1);
});

afterAll(async () => {
  await jwks.stop();
});

const verifierOptions = () => ({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });

/** Tokens that must never be accepted, and why each is refused. */
const negativeCorpus: [string, () => Promise<string> | string, TokenRejectionReason][] = [
  ['alg none (unsigned)', () => unsignedToken(key1.kid), 'unsupported_alg'],
  ['HS256 signed with the public key PEM', () => hmacWithPublicKey(key1), 'unsupported_alg'],
  [
    'a wrong issuer',
    () => accessToken(key1, claims({ iss: 'https://evil.example' })),
    'wrong_issuer',
  ],
  ['a wrong audience', () => accessToken(key1, claims({ aud: 'another-api' })), 'wrong_audience'],
  [
    'an expired token',
    () => accessToken(key1, claims({ iat: now() - 900, exp: now() - 60 })),
    'expired',
  ],
  [
    'expiry beyond the 5 s tolerance',
    () => accessToken(key1, claims({ exp: now() - 10 })),
    'expired',
  ],
  ['nbf in the future', () => accessToken(key1, claims({ nbf: now() + 60 })), 'not_yet_valid'],
  ['no exp', () => accessToken(key1, claims({ exp: undefined })), 'bad_claims'],
  ['an unknown kid', () => accessToken(stranger), 'unknown_key'],
  ['no kid', () => accessToken(key1, claims(), { kid: '' }), 'unknown_key'],
  ['a known kid signed by another key', () => accessToken(impostor), 'bad_signature'],
  ['header typ JWT', () => accessToken(key1, claims(), { typ: 'JWT' }), 'wrong_type'],
  ['an ID-token-like typ', () => accessToken(key1, claims(), { typ: 'id+jwt' }), 'wrong_type'],
  ['an opaque refresh token', () => 'sbr_3q2+7w1kP0aZ9xYbT5vN8mQ4', 'malformed'],
  ['garbage with dots', () => 'a.b.c', 'malformed'],
  ['an unknown principal kind', () => accessToken(key1, claims({ typ: 'robot' })), 'bad_claims'],
  [
    'a user without organization',
    () => accessToken(key1, claims({ org: undefined })),
    'bad_claims',
  ],
  [
    'an API token claiming ADMIN',
    () => accessToken(key1, claims({ typ: 'api_token', role: 'ADMIN' })),
    'bad_claims',
  ],
];

describe('JwtVerifier against a live JWKS', () => {
  let verifier: JwtVerifier;
  beforeAll(() => {
    verifier = new JwtVerifier(verifierOptions());
  });

  it('turns a valid user token into a UserPrincipal', async () => {
    const token = await accessToken(
      key1,
      claims({ role: 'CUSTOMER', jti: 'jti-42', sid: 'sess-7' }),
    );
    expect(await verifier.verify(token)).toEqual({
      kind: 'user',
      userId: '5b0e8f0e-3c55-4a4e-9a43-0f4a8f1f6e21',
      orgId: ORG,
      role: 'CUSTOMER',
      scopes: [
        'messages:send',
        'messages:read',
        'devices:read',
        'devices:manage',
        'contacts:write',
        'billing:read',
        'admin',
      ],
      sessionId: 'sess-7',
      tokenId: 'jti-42',
    });
  });

  it('parses a signing key once, not on every verification', async () => {
    const first = await verifier.keyFor(await accessToken(key1, claims({ role: 'CUSTOMER' })));
    const second = await verifier.keyFor(await accessToken(key1, claims({ role: 'ADMIN' })));
    expect(second).toBe(first);
    expect(first.type).toBe('public');
  });

  it('remembers an accepted token for 30 s, never past its exp, and a rejected one not at all', async () => {
    const remembering = new JwtVerifier(verifierOptions());
    const keyReads = jest.spyOn(remembering, 'keyFor');
    const long = await accessToken(key1, claims({ role: 'CUSTOMER', exp: now() + 600 }));
    const short = await accessToken(key1, claims({ role: 'CUSTOMER', exp: now() + 10 }));
    const first = await remembering.verify(long);
    expect(await remembering.verify(long)).toEqual(first);
    await remembering.verify(short);
    await remembering.verify(short);
    expect(keyReads).toHaveBeenCalledTimes(2); // once a token
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now');
    try {
      // 12 s on: the short token's exp has passed (inside the 5 s leeway: still valid, but
      // checked again); the long one is still remembered.
      clock.mockReturnValue(start + 12_000);
      await remembering.verify(short);
      await remembering.verify(long);
      expect(keyReads).toHaveBeenCalledTimes(3);
      // 31 s on: the long one is checked again too.
      clock.mockReturnValue(start + 31_000);
      await remembering.verify(long);
      expect(keyReads).toHaveBeenCalledTimes(4);
    } finally {
      clock.mockRestore();
    }
    const forged = `${long.slice(0, long.lastIndexOf('.'))}.${'A'.repeat(342)}`;
    await expect(remembering.verify(forged)).rejects.toBeInstanceOf(DomainException);
    await expect(remembering.verify(forged)).rejects.toBeInstanceOf(DomainException);
    expect(keyReads).toHaveBeenCalledTimes(6);
  });

  it('tolerates a few seconds of clock skew, no more', async () => {
    await expect(
      verifier.verify(await accessToken(key1, claims({ exp: now() - 2 }))),
    ).resolves.toMatchObject({
      kind: 'user',
    });
  });

  it.each(negativeCorpus)('rejects %s', async (_name, token, reason) => {
    const error = await verifier.verify(await token()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainException);
    expect((error as DomainException).code).toBe(CommonErrorCode.UNAUTHENTICATED);
    expect((error as Error).message).toBe(
      reason === 'expired' ? 'Access token expired' : 'Invalid access token',
    );
    expect((error as Error).cause).toBeInstanceOf(TokenRejection);
    expect(((error as Error).cause as TokenRejection).reason).toBe(reason);
  });

  it('refuses the HS256 forgery in the signature check too, not only by its header', async () => {
    const token = await hmacWithPublicKey(key1);
    const verify = (Strategy as unknown as { JwtVerifier: (...args: unknown[]) => void })
      .JwtVerifier;
    const error = await new Promise((resolve) =>
      verify(token, key1.publicPem, { ...verifier.verifyOptions }, (e: unknown) => resolve(e)),
    );
    expect(error).toMatchObject({ name: 'JsonWebTokenError', message: 'invalid algorithm' });
  });

  it('reads the JWKS once more for an unknown kid, and still refuses it', async () => {
    const fresh = new JwtVerifier(verifierOptions());
    await fresh.verify(await accessToken(key1));
    const before = jwks.fetches;
    await expect(fresh.verify(await accessToken(stranger))).rejects.toMatchObject({
      cause: { reason: 'unknown_key' },
    });
    expect(jwks.fetches - before).toBe(1);
  });

  it('picks up a rotated-in key on first sight of its kid, and keeps the cached one', async () => {
    const fresh = new JwtVerifier(verifierOptions());
    await fresh.verify(await accessToken(key1));
    const afterFirst = jwks.fetches;

    jwks.publish(key1, key2);
    try {
      await expect(
        fresh.verify(await accessToken(key2, claims({ jti: 'rotated' }))),
      ).resolves.toMatchObject({
        tokenId: 'rotated',
      });
      expect(jwks.fetches - afterFirst).toBe(1);
      await fresh.verify(await accessToken(key1));
      await fresh.verify(await accessToken(key2));
      expect(jwks.fetches - afterFirst).toBe(1);
    } finally {
      jwks.publish(key1);
    }
  });

  it('answers a retryable KEYS_UNAVAILABLE when the JWKS cannot be read', async () => {
    const unreachable = new JwtVerifier({
      ...verifierOptions(),
      jwksUrl: jwks.url.replace('jwks.json', 'gone'),
    });
    await expect(unreachable.verify(await accessToken(key1))).rejects.toMatchObject({
      code: 'KEYS_UNAVAILABLE',
      httpStatus: 503,
      cause: { reason: 'keys_unavailable' },
    });
  });
});

describe('a Nest service with AuthModule (HTTP + GraphQL)', () => {
  let app: INestApplication;
  let url: string;
  const audit = new MemoryAuditSink();

  beforeAll(async () => {
    ({ app, url } = await startProbeApp({ ...verifierOptions(), global: true }, audit));
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    audit.entries.length = 0;
  });

  const bearer = (token?: string): Record<string, string> =>
    token ? { authorization: `Bearer ${token}` } : {};
  const get = async (path: string, token?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, { headers: { ...bearer(token), ...headers } });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.json(),
    };
  };
  const graphql = async (query: string, token?: string) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions: { code: string } }[];
    };
  };
  const errorCode = (result: Awaited<ReturnType<typeof graphql>>) =>
    result.errors?.[0]?.extensions.code;

  const userToken = (role: string) => accessToken(key1, claims({ role }));
  const apiToken = (scope: string) =>
    accessToken(
      key1,
      claims({ typ: 'api_token', sub: 'api-token-1', role: 'CUSTOMER', scope, sid: undefined }),
    );
  const adminToken = () => accessToken(key1, claims({ role: 'ADMIN', sub: 'admin-1' }));

  it('answers 401 without a token and 200 with one (HTTP)', async () => {
    const anonymous = await get('/probe/viewer');
    expect(anonymous).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED', detail: 'Authentication required' },
    });
    expect(anonymous.type).toContain('application/problem+json');

    const signedIn = await get('/probe/viewer', await userToken('USER'));
    expect(signedIn).toMatchObject({
      status: 200,
      body: { kind: 'user', orgId: ORG, role: 'USER', tokenId: 'token-1' },
    });

    expect(await get('/probe/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it.each(negativeCorpus)('answers 401 over HTTP for %s', async (_name, token, reason) => {
    const response = await get('/probe/viewer', await token());
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({
      code: 'UNAUTHENTICATED',
      detail: reason === 'expired' ? 'Access token expired' : 'Invalid access token',
    });
  });

  it('checks an accepted token once and answers it from memory after; a refused one every time', async () => {
    const keyReads = jest.spyOn(app.get(JwtVerifier), 'keyFor');
    try {
      // A token no other test presented (they may have been answered from memory already).
      const token = await accessToken(key1, claims({ role: 'USER', jti: 'token-memory' }));
      for (let i = 0; i < 3; i++) {
        expect(await get('/probe/viewer', token)).toMatchObject({
          status: 200,
          body: { kind: 'user', orgId: ORG, role: 'USER' },
        });
      }
      expect((await graphql('{ viewer { kind } }', token)).data).toEqual({
        viewer: { kind: 'user' },
      });
      expect(keyReads).toHaveBeenCalledTimes(1);
      // The same claims with another signature are another token: checked, and refused.
      const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(342)}`;
      expect((await get('/probe/viewer', forged)).status).toBe(401);
      expect((await get('/probe/viewer', forged)).status).toBe(401);
      expect(keyReads).toHaveBeenCalledTimes(3);
    } finally {
      keyReads.mockRestore();
    }
  });

  it('authenticates GraphQL calls the same way', async () => {
    expect(errorCode(await graphql('{ viewer { kind id orgId } }'))).toBe('UNAUTHENTICATED');
    expect(errorCode(await graphql('{ viewer { kind } }', await hmacWithPublicKey(key1)))).toBe(
      'UNAUTHENTICATED',
    );
    expect((await graphql('{ viewer { kind id orgId } }', await userToken('USER'))).data).toEqual({
      viewer: { kind: 'user', id: '5b0e8f0e-3c55-4a4e-9a43-0f4a8f1f6e21', orgId: ORG },
    });
    expect((await graphql('{ ping }')).data).toEqual({ ping: 'pong' });
  });

  it('enforces @Scopes: an API token needs the scope itself, a user has its role’s', async () => {
    const denied = await graphql('{ deviceCount }', await apiToken('messages:send'));
    expect(errorCode(denied)).toBe('FORBIDDEN');
    expect(denied.data).toBeNull();
    expect((await graphql('{ deviceCount }', await apiToken('devices:manage'))).data).toEqual({
      deviceCount: 3,
    });
    expect((await graphql('{ deviceCount }', await apiToken('admin'))).data).toEqual({
      deviceCount: 3,
    });
    expect(errorCode(await graphql('{ deviceCount }', await userToken('USER')))).toBe('FORBIDDEN');
    expect((await graphql('{ deviceCount }', await userToken('CUSTOMER'))).data).toEqual({
      deviceCount: 3,
    });

    expect(await get('/probe/devices', await apiToken('messages:read'))).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN', missingScopes: ['devices:manage'] },
    });
  });

  it('enforces @Roles for users only', async () => {
    expect((await graphql('{ ownerArea }', await userToken('CUSTOMER'))).data).toEqual({
      ownerArea: 'owner',
    });
    expect(errorCode(await graphql('{ ownerArea }', await userToken('USER')))).toBe('FORBIDDEN');
    expect(errorCode(await graphql('{ ownerArea }', await apiToken('admin')))).toBe('FORBIDDEN');
  });

  describe('@PlatformAdminOperation', () => {
    const query = (id: string, reason?: string) =>
      `{ organization(id: "${id}"${reason === undefined ? '' : `, reason: ${JSON.stringify(reason)}`}) { id name } }`;

    it('requires a reason from a platform admin', async () => {
      expect(errorCode(await graphql(query(TARGET_ORG), await adminToken()))).toBe(
        'REASON_REQUIRED',
      );
      expect(errorCode(await graphql(query(TARGET_ORG, '  '), await adminToken()))).toBe(
        'REASON_REQUIRED',
      );
      expect(audit.entries).toEqual([]);
    });

    it('returns the result and records one audit entry when a reason is given', async () => {
      const result = await graphql(query(TARGET_ORG, ' support ticket #4711 '), await adminToken());
      expect(result).toEqual({ data: { organization: { id: TARGET_ORG, name: 'Acme' } } });
      expect(audit.entries).toEqual([
        {
          actor: { kind: 'user', id: 'admin-1', orgId: ORG },
          action: 'organization.read',
          targetOrgId: TARGET_ORG,
          resourceType: 'organization',
          resourceId: TARGET_ORG,
          reason: 'support ticket #4711',
          outcome: 'success',
          occurredAt: expect.any(Date),
        },
      ]);
    });

    it('records a failed access too, and the caller still gets the operation’s error', async () => {
      const result = await graphql(query(MISSING_ORG, 'support ticket #4711'), await adminToken());
      expect(errorCode(result)).toBe('NOT_FOUND');
      expect(audit.entries).toEqual([
        expect.objectContaining({ outcome: 'failure', targetOrgId: MISSING_ORG }),
      ]);
    });

    it('refuses everyone but platform admins, reason or not', async () => {
      expect(
        errorCode(await graphql(query(TARGET_ORG, 'curious'), await userToken('CUSTOMER'))),
      ).toBe('FORBIDDEN');
      expect(errorCode(await graphql(query(TARGET_ORG, 'curious'), await apiToken('admin')))).toBe(
        'FORBIDDEN',
      );
      expect(audit.entries).toEqual([]);
    });

    it('takes the reason from the x-access-reason header over HTTP', async () => {
      const path = `/probe/organizations/${TARGET_ORG}`;
      expect(await get(path, await adminToken())).toMatchObject({
        status: 400,
        body: { code: 'REASON_REQUIRED' },
      });
      expect(
        await get(path, await userToken('CUSTOMER'), { 'x-access-reason': 'curious' }),
      ).toMatchObject({
        status: 403,
      });
      const ok = await get(path, await adminToken(), {
        'x-access-reason': 'ticket #9',
        'x-correlation-id': 'c-1',
      });
      expect(ok).toMatchObject({ status: 200, body: { id: TARGET_ORG } });
      expect(audit.entries).toEqual([
        expect.objectContaining({
          outcome: 'success',
          reason: 'ticket #9',
          targetOrgId: TARGET_ORG,
          correlationId: 'c-1',
        }),
      ]);
    });
  });
});
