// What the platform exposes, and to whom (docs/development.md "Exposure"): the subgraphs'
// /graphql answer the gateway only, metrics are served on a port of their own, readiness says
// up or down only, and the token keys are published on the public origin.
import { JwtVerifier } from '@switchboard/auth';
import { PASSWORD, gateway } from './support';
import { platform } from './platform';

const p = platform();
const subgraphs = () => p.processes.filter((process) => process.name !== 'gateway');

async function postGraphql(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = (await response.json()) as {
    data?: unknown;
    errors?: { extensions?: { code?: string } }[];
  };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, data: body.data };
}

describe('exposure', () => {
  it('has every subgraph refuse a caller that is not the gateway', async () => {
    expect(subgraphs().length).toBeGreaterThanOrEqual(3);
    for (const service of subgraphs()) {
      expect([service.name, await postGraphql(service.url)]).toEqual([
        service.name,
        { status: 401, code: 'UNAUTHENTICATED', data: undefined },
      ]);
      const wrong = await postGraphql(service.url, {
        'x-subgraph-secret': 'guessed-secret-0123456789',
      });
      expect([service.name, wrong.status, wrong.code]).toEqual([service.name, 403, 'FORBIDDEN']);
    }
    // …while the gateway, which holds the secret, gets answers from all of them.
    expect(await gateway().expectData('{ __typename }')).toEqual({ __typename: 'Query' });
    expect((await fetch(`${p.url('gateway')}/health/ready`)).status).toBe(200);
  });

  it('serves metrics on the metrics port only, and readiness as up or down', async () => {
    for (const process of p.processes) {
      expect([process.name, (await fetch(`${process.url}/metrics`)).status]).toEqual([
        process.name,
        404,
      ]);
      const scrape = await fetch(`${process.metricsUrl}/metrics`);
      expect([process.name, scrape.status]).toEqual([process.name, 200]);
      expect(await scrape.text()).toContain(`service="${process.name}"`);
      const ready = await fetch(`${process.url}/health/ready`);
      expect([process.name, ready.status]).toEqual([process.name, 200]);
      const body = await ready.text();
      expect(body).not.toMatch(/message|error":\s*"|postgres:\/\/|127\.0\.0\.1/);
    }
  });

  it('publishes the keys on the gateway: a token accounts issued verifies against them', async () => {
    const { signUp } = await gateway().expectData<{
      signUp: { accessToken: string; organization: { id: string } };
    }>(
      'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken organization { id } } }',
      {
        input: {
          email: `jwks-${Date.now().toString(36)}@example.com`,
          password: PASSWORD,
          organizationName: 'JWKS check',
        },
      },
    );
    const discovery = (await (
      await fetch(`${p.url('gateway')}/.well-known/openid-configuration`)
    ).json()) as {
      issuer: string;
      jwks_uri: string;
      id_token_signing_alg_values_supported: string[];
    };
    expect(discovery.jwks_uri).toBe(`${p.url('gateway')}/.well-known/jwks.json`);
    expect(discovery.id_token_signing_alg_values_supported).toEqual(['RS256']);
    const jwks = await fetch(discovery.jwks_uri);
    expect(jwks.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const verifier = new JwtVerifier({
      jwksUrl: discovery.jwks_uri,
      issuer: discovery.issuer,
      audience: 'switchboard-api',
    });
    await expect(verifier.verify(signUp.accessToken)).resolves.toMatchObject({
      kind: 'user',
      orgId: signUp.organization.id,
    });
  });
});
