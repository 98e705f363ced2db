import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { graphqlClient, type GraphQLClient } from '@switchboard/testing';
import { platform } from './platform';
import { messagingPolicyVersion } from './policy-projection';

export const PASSWORD = 'correct horse battery staple 42';

/** The gateway's GraphQL client of the running e2e platform. */
export const gateway = (): GraphQLClient => graphqlClient(platform().graphqlUrl!);

/** A new customer (owner of a new organization), signed up through the gateway. */
export async function customer(label: string): Promise<{ api: GraphQLClient; orgId: string }> {
  const gql = gateway();
  const { signUp } = await gql.expectData<{
    signUp: { accessToken: string; organization: { id: string } };
  }>(
    'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken organization { id } } }',
    {
      input: {
        email: `${label}-${randomUUID().slice(0, 8)}@example.com`,
        password: PASSWORD,
        organizationName: `${label} ${randomUUID().slice(0, 6)}`,
      },
    },
  );
  return { api: gql.as(signUp.accessToken), orgId: signUp.organization.id };
}

/** Polls until `probe` gives something (not undefined/false), or fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Updates the organization's compliance policy (`input`: the fields of UpdateCompliancePolicyInput)
 * and waits until messaging holds that version of it: messaging learns the policy from
 * compliance.policy.v1, and until it has, it applies the platform default, whose quiet hours hold
 * a campaign message (SCHEDULED) outside 08:00–21:00 in the recipient's time. Read from
 * messaging's projection as its database owner.
 */
export async function updateCompliancePolicy(
  api: GraphQLClient,
  orgId: string,
  input: string,
): Promise<void> {
  const { updateCompliancePolicy } = await api.expectData<{
    updateCompliancePolicy: { version: number };
  }>(`mutation { updateCompliancePolicy(input: { ${input} }) { version } }`);
  const db = new Client({ connectionString: platform().process('messaging').databaseOwnerUrl });
  await db.connect();
  try {
    await db.query(`SELECT set_config('app.org_id', $1, false)`, [orgId]);
    await until(
      `messaging to hold version ${updateCompliancePolicy.version} of the policy`,
      async () =>
        (await messagingPolicyVersion((text, params) => db.query(text, params), orgId)) >=
        updateCompliancePolicy.version,
    );
  } finally {
    await db.end();
  }
}
