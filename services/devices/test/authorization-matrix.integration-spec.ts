// Who may call what: every Query and Mutation field of the devices subgraph, called as every
// kind of caller (generated from the schema and the resolvers' auth decorators; see
// libs/testing/src/authorization-matrix.ts). A new field fails here until it is listed below.
import { randomUUID } from 'node:crypto';
import {
  callersFor,
  describeAuthorizationMatrix,
  expectedOutcome,
  FEDERATION,
  graphqlClient,
  issuedTokenFor,
  requiresPlatformAdmin,
  requiresScopes,
  TestTokenIssuer,
  type AuthorizationMatrix,
  type MatrixCaller,
  type MatrixTarget,
} from '@switchboard/testing';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';

/** Reading the fleet: what members read messages with; changing it: owners' devices:manage. */
const READ = requiresScopes('devices:read');
const MANAGE = requiresScopes('devices:manage');

const matrix: AuthorizationMatrix = {
  service: 'devices',
  deviceAccessToken: true,
  phoneCredential: true,
  fields: {
    'Query.devices': READ,
    'Query.device': READ,
    'Query.adminDevices': requiresPlatformAdmin('device.list'),
    'Query.deviceEnrollments': MANAGE,
    'Mutation.createDeviceEnrollment': MANAGE,
    'Mutation.revokeDeviceEnrollment': MANAGE,
    'Mutation.updateDevice': MANAGE,
    'Mutation.removeDevice': MANAGE,
    'Mutation.approveDevice': MANAGE,
    'Mutation.rejectDevice': MANAGE,
    'Query.deviceSettings': MANAGE,
    'Mutation.setDeviceSettings': MANAGE,
    'Query._entities': FEDERATION,
    'Query._service': FEDERATION,
  },
};

describe('devices authorization matrix', () => {
  const orgId = randomUUID();
  let issuer: TestTokenIssuer;
  let h: DevicesHarness;
  let target: MatrixTarget;

  beforeAll(async () => {
    issuer = await TestTokenIssuer.start();
    h = await startDevicesHarness(issuer.authEnv);
    const client = graphqlClient(`${h.baseUrl}/graphql`);
    // A phone's own credential, as the device API hands it out at registration.
    const enrollment = await client
      .as(await issuer.user(orgId, 'CUSTOMER'))
      .expectData<{ createDeviceEnrollment: { token: string } }>(
        'mutation { createDeviceEnrollment(name: "matrix") { token } }',
      );
    const registered = await fetch(`${h.apiUrl}/device`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${enrollment.createDeviceEnrollment.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'Google/matrix', pushToken: null }),
    });
    expect(registered.status).toBe(201);
    const { token: phoneCredential } = (await registered.json()) as { token: string };
    target = {
      app: h.app,
      client,
      tokenFor: (caller) => tokenFor(issuer, orgId, caller, phoneCredential),
    };
  });

  afterAll(async () => {
    await h?.close();
    await issuer?.stop();
  });

  describeAuthorizationMatrix(matrix, () => target);

  // Organization.devices is the devices list reached through _entities (the gateway's way):
  // the same requirement as Query.devices.
  it.each(callersFor(READ, matrix).map((c) => [c.name, expectedOutcome(READ, c), c] as const))(
    'Organization.devices as %s → %s',
    async (_name, outcome, caller) => {
      const result = await target.client
        .as(await target.tokenFor(caller, { fresh: false }))
        .request(
          'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { devices { id } } } }',
          { r: [{ __typename: 'Organization', id: orgId }] },
        );
      const codes = (result.errors ?? []).map((e) => e.extensions?.code);
      expect(codes).toEqual(outcome === 'allowed' ? [] : [outcome]);
    },
  );
});

/** The phone's own credential for the phone caller; the issuer's token for every other. */
function tokenFor(
  issuer: TestTokenIssuer,
  orgId: string,
  caller: MatrixCaller,
  phoneCredential: string,
): Promise<string | undefined> {
  return caller.kind === 'phone_credential'
    ? Promise.resolve(phoneCredential)
    : issuedTokenFor(issuer, orgId, caller);
}
