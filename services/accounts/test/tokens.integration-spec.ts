// Access tokens as libs/auth verifies them, the JWKS, and signing key rotation.
import { JwtVerifier, TokenRejection } from '@switchboard/auth';
import { expectCommittedSubgraphSchema } from '@switchboard/testing';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { SigningKeys } from '../src/keys/signing-keys.service';
import { signUp, startAccounts, type AccountsUnderTest } from './harness';

describe('access tokens and signing keys', () => {
  let accounts: AccountsUnderTest;

  beforeAll(async () => {
    accounts = await startAccounts();
  });
  afterAll(async () => {
    await accounts?.stop();
  });

  const verifier = () =>
    new JwtVerifier({
      jwksUrl: `${accounts.url}/.well-known/jwks.json`,
      issuer: accounts.config.AUTH_ISSUER,
      audience: accounts.config.AUTH_AUDIENCE,
    });

  it('issues RS256 at+jwt tokens that libs/auth verifies against the JWKS endpoint', async () => {
    const session = await signUp(accounts);
    const header = decodeProtectedHeader(session.accessToken);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(typeof header.kid).toBe('string');
    const claims = decodeJwt(session.accessToken);
    expect(claims).toMatchObject({
      iss: accounts.config.AUTH_ISSUER,
      aud: accounts.config.AUTH_AUDIENCE,
      sub: session.user.id,
      org: session.organization.id,
      role: 'CUSTOMER',
      typ: 'user',
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(session.expiresIn).toBe(900);
    expect(typeof claims.jti).toBe('string');
    expect(typeof claims.sid).toBe('string');
    expect(String(claims.scope).split(' ')).toContain('admin');

    const principal = await verifier().verify(session.accessToken);
    expect(principal).toMatchObject({
      kind: 'user',
      userId: session.user.id,
      orgId: session.organization.id,
      role: 'CUSTOMER',
      sessionId: claims.sid,
      tokenId: claims.jti,
    });
  });

  it('serves the JWKS with caching headers and public keys only', async () => {
    const response = await fetch(`${accounts.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of body.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
      expect(key).not.toHaveProperty('p');
    }
  });

  it('rotates keys: the new key signs, the old one stays published while its tokens live', async () => {
    const before = await signUp(accounts);
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const keys = accounts.app.get(SigningKeys);
    const rotation = await keys.rotate();
    expect(rotation.retired).toContain(oldKid);

    const after = await signUp(accounts);
    const newKid = decodeProtectedHeader(after.accessToken).kid;
    expect(newKid).toBe(rotation.kid);
    expect(newKid).not.toBe(oldKid);

    const kids = (
      (await (await fetch(`${accounts.url}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      }
    ).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));
    // A verifier that cached the JWKS before the rotation picks up the new kid on sight.
    const v = verifier();
    await expect(v.verify(before.accessToken)).resolves.toMatchObject({ kind: 'user' });
    await expect(v.verify(after.accessToken)).resolves.toMatchObject({ kind: 'user' });
  });

  it('refuses tokens of unknown keys in its own resolvers', async () => {
    const session = await signUp(accounts);
    const [h, p] = session.accessToken.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...header, kid: 'ghost' })).toString('base64url')}.${p}.AAAA`;
    expect(await accounts.gql.as(forged).errorCodes('{ me { id } }')).toEqual(['UNAUTHENTICATED']);
    expect(await accounts.gql.as(session.refreshToken).errorCodes('{ me { id } }')).toEqual([
      'UNAUTHENTICATED',
    ]);
    await expect(accounts.app.get(SigningKeys).publicKey('ghost')).rejects.toBeInstanceOf(
      TokenRejection,
    );
  });

  it('publishes the subgraph SDL checked in as schema.graphql (the public API; UPDATE_SDL=1 rewrites it)', async () => {
    const sdl = await expectCommittedSubgraphSchema(accounts.gql, 'accounts');
    for (const name of [
      'signUp',
      'logIn',
      'refreshSession',
      'logOut',
      'logOutEverywhere',
      'me',
      'organization',
      'myOrganizations',
      'inviteMember',
      'acceptInvitation',
      'updateMemberRole',
      'removeMember',
      'createApiToken',
      'revokeApiToken',
      'apiTokens',
      'requestPasswordReset',
      'resetPassword',
      'verifyEmail',
      'closeOrganization',
      'cancelOrganizationClosure',
      'adminOrganizations',
      'adminOrganization',
    ]) {
      expect(sdl).toMatch(new RegExp(`\\b${name}\\(|\\b${name}:`));
    }
    expect(sdl).toMatch(/type Organization @key\(fields: "id"\)/);
    expect(sdl).toMatch(/type User @key\(fields: "id"\)/);
  });
});
