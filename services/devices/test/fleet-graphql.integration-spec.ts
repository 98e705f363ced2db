// Fleet management over GraphQL: roles and scopes, validation, tenant isolation, the
// federation entities, and the committed subgraph schema.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print } from 'graphql';
import { devicesV1, Topics } from '@switchboard/contracts';
import { graphqlClient } from '@switchboard/testing';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';
import { PhoneFleet } from './support/phones';

const SCHEMA_FILE = join(__dirname, '..', 'schema.graphql');

const DEVICE_FIELDS = `id name manufacturer model appVersion status enabled lastSeenAt
  sims { slot operator maskedNumber } queueDepth sentCount deliveredCount failedCount
  healthScore sendRatePerMinute dailyLimit simPolicy quarantineReason createdAt`;

describe('fleet management (GraphQL subgraph)', () => {
  let h: DevicesHarness;
  let fleet: PhoneFleet;
  const orgA = randomUUID();
  const orgB = randomUUID();
  let deviceA: string;

  beforeAll(async () => {
    h = await startDevicesHarness();
    fleet = new PhoneFleet(h);
    const phone = await fleet.phone(orgA, {
      name: 'Google/panther',
      sims: [
        { slotIndex: 0, simNumber: 1, phoneNumber: '****0123', carrierName: 'T-Mobile' },
        { slotIndex: 1, simNumber: 2, phoneNumber: '+14155550999', carrierName: 'Mint' },
      ],
    });
    deviceA = phone.deviceId!;
  });

  afterAll(async () => {
    await fleet?.stopAll();
    await h?.close();
  });

  it('creates enrollments for owners only: token and the API URL to type into the app', async () => {
    const owner = await h.owner(orgA);
    const { createDeviceEnrollment } = await owner.expectData<{
      createDeviceEnrollment: { token: string; apiUrl: string; name: string; expiresAt: string };
    }>(`mutation { createDeviceEnrollment(name: "front desk") { token apiUrl name expiresAt } }`);
    expect(createDeviceEnrollment).toMatchObject({
      token: expect.stringMatching(/^sbe_/),
      apiUrl: `${h.baseUrl}/api/mobile/v1`,
      name: 'front desk',
    });
    const member = await h.member(orgA);
    expect(await member.errorCodes(`mutation { createDeviceEnrollment { token } }`)).toEqual([
      'FORBIDDEN',
    ]);
    const anonymous = graphqlClient(`${h.baseUrl}/graphql`);
    expect(await anonymous.errorCodes(`{ devices { id } }`)).toEqual(['UNAUTHENTICATED']);
    expect(
      await owner.errorCodes(
        `mutation($at: DateTime) { createDeviceEnrollment(expiresAt: $at) { token } }`,
        {
          at: new Date(Date.now() - 1000).toISOString(),
        },
      ),
    ).toEqual(['INVALID_REQUEST']);
    const { deviceEnrollments } = await owner.expectData<{
      deviceEnrollments: { name: string | null; uses: number }[];
    }>(`{ deviceEnrollments { name uses } }`);
    expect(deviceEnrollments).toEqual(
      expect.arrayContaining([
        { name: 'front desk', uses: 0 },
        { name: null, uses: 1 },
      ]),
    );
  });

  it('lets members read devices, with masked SIM numbers', async () => {
    const member = await h.member(orgA);
    const { devices } = await member.expectData<{ devices: Record<string, unknown>[] }>(
      `{ devices { ${DEVICE_FIELDS} } }`,
    );
    expect(devices).toEqual([
      expect.objectContaining({
        id: deviceA,
        name: 'Google/panther',
        manufacturer: 'Google',
        model: 'panther',
        appVersion: '1.40.0',
        status: 'ONLINE',
        enabled: true,
        sims: [
          { slot: 1, operator: 'T-Mobile', maskedNumber: '****0123' },
          { slot: 2, operator: 'Mint', maskedNumber: '+*******0999' },
        ],
        queueDepth: 0,
        healthScore: 100,
        sendRatePerMinute: 30,
        dailyLimit: null,
        simPolicy: 'BALANCED',
      }),
    ]);
    const filtered = await member.expectData<{ devices: unknown[] }>(
      `{ devices(filter: { status: [OFFLINE, DISABLED] }) { id } }`,
    );
    expect(filtered.devices).toEqual([]);
    const searched = await member.expectData<{ devices: unknown[] }>(
      `{ devices(filter: { search: "panth" }) { id } }`,
    );
    expect(searched.devices).toHaveLength(1);
    expect(
      await member.errorCodes(`mutation($id: ID!) { removeDevice(id: $id) }`, { id: deviceA }),
    ).toEqual(['FORBIDDEN']);
  });

  it('updates device settings with validation, and reports name changes as events', async () => {
    const events = await h.watch(Topics.devices.device);
    const owner = await h.owner(orgA);
    const { updateDevice } = await owner.expectData<{ updateDevice: Record<string, unknown> }>(
      `mutation($id: ID!) { updateDevice(id: $id, input: { name: "Front desk", sendRatePerMinute: 20, dailyLimit: 500, simPolicy: DEVICE_DEFAULT }) { name sendRatePerMinute dailyLimit simPolicy } }`,
      { id: deviceA },
    );
    expect(updateDevice).toEqual({
      name: 'Front desk',
      sendRatePerMinute: 20,
      dailyLimit: 500,
      simPolicy: 'DEVICE_DEFAULT',
    });
    const updated = await events.waitFor(
      (e) => e.key === deviceA && e.message.event.case === 'updated',
    );
    expect((updated.message.event.value as devicesV1.DeviceUpdated).device?.name).toBe(
      'Front desk',
    );
    for (const input of [
      '{ sendRatePerMinute: 0 }',
      '{ sendRatePerMinute: 31 }',
      '{ dailyLimit: -1 }',
      '{ name: "  " }',
    ]) {
      expect(
        await owner.errorCodes(
          `mutation($id: ID!) { updateDevice(id: $id, input: ${input}) { id } }`,
          {
            id: deviceA,
          },
        ),
      ).toEqual(['INVALID_REQUEST']);
    }
    const cleared = await owner.expectData<{ updateDevice: { dailyLimit: number | null } }>(
      `mutation($id: ID!) { updateDevice(id: $id, input: { dailyLimit: 0, sendRatePerMinute: 30 }) { dailyLimit } }`,
      { id: deviceA },
    );
    expect(cleared.updateDevice.dailyLimit).toBeNull();
  });

  it("denies access to another organization's devices", async () => {
    const ownerB = await h.owner(orgB);
    const read = await ownerB.expectData<{ device: unknown; devices: unknown[] }>(
      `query($id: ID!) { device(id: $id) { id } devices { id } }`,
      { id: deviceA },
    );
    expect(read).toEqual({ device: null, devices: [] });
    expect(
      await ownerB.errorCodes(
        `mutation($id: ID!) { updateDevice(id: $id, input: { enabled: false }) { id } }`,
        {
          id: deviceA,
        },
      ),
    ).toEqual(['DEVICE_NOT_FOUND']);
    expect(
      await ownerB.errorCodes(`mutation($id: ID!) { removeDevice(id: $id) }`, { id: deviceA }),
    ).toEqual(['DEVICE_NOT_FOUND']);
    const entities = await ownerB.request(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { devices { id } } } }`,
      { r: [{ __typename: 'Organization', id: orgA }] },
    );
    expect(entities.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const device = await ownerB.expectData<{ _entities: unknown[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Device { id } } }`,
      { r: [{ __typename: 'Device', id: deviceA }] },
    );
    expect(device._entities).toEqual([null]);
    const [row] = await h.sql<{ enabled: boolean }>(`SELECT enabled FROM devices WHERE id = $1`, [
      deviceA,
    ]);
    expect(row.enabled).toBe(true);
  });

  it('resolves the Device entity and Organization.devices for the gateway', async () => {
    const owner = await h.owner(orgA);
    const data = await owner.expectData<{ _entities: unknown[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) {
          ... on Device { id status }
          ... on Organization { id devices { id } } } }`,
      {
        r: [
          { __typename: 'Device', id: deviceA },
          { __typename: 'Organization', id: orgA },
        ],
      },
    );
    expect(data._entities).toEqual([
      { id: deviceA, status: 'ONLINE' },
      { id: orgA, devices: [{ id: deviceA }] },
    ]);
  });

  it('matches the committed subgraph schema (services/devices/schema.graphql)', async () => {
    const owner = await h.owner(orgA);
    const { _service } = await owner.expectData<{ _service: { sdl: string } }>(
      `{ _service { sdl } }`,
    );
    if (process.env.UPDATE_SCHEMA === '1' || !existsSync(SCHEMA_FILE)) {
      writeFileSync(SCHEMA_FILE, `${_service.sdl.trim()}\n`);
    }
    // Compared as GraphQL documents: the file is prettier-formatted.
    const normal = (sdl: string) => print(parse(sdl));
    expect(normal(readFileSync(SCHEMA_FILE, 'utf8'))).toBe(normal(_service.sdl));
    expect(_service.sdl).toMatch(/type Device @key\(fields: "id"\)/);
    expect(_service.sdl).toMatch(/type Organization @key\(fields: "id"\)/);
  });

  it('removes a device: gone from the list, token revoked, DeviceRemoved', async () => {
    const events = await h.watch(Topics.devices.device);
    const owner = await h.owner(orgA);
    await owner.expectData(`mutation($id: ID!) { removeDevice(id: $id) }`, { id: deviceA });
    const { devices } = await owner.expectData<{ devices: unknown[] }>(`{ devices { id } }`);
    expect(devices).toEqual([]);
    await events.waitFor((e) => e.key === deviceA && e.message.event.case === 'removed');
    const res = await fetch(`${h.apiUrl}/message`, {
      headers: { authorization: `Bearer ${fleet.phones[0].credentials!.token}` },
    });
    expect(res.status).toBe(401);
  });
});
