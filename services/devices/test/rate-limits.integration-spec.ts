// Rate limits of the device API, kept in PostgreSQL (@switchboard/rate-limit) so replicas agree:
// registrations per client address and per enrollment token, requests per device. Past a limit:
// 429 with Retry-After, and nothing written.
import { randomUUID } from 'node:crypto';
import {
  startDevicesHarness,
  startReplica,
  type DevicesHarness,
  type Replica,
} from './support/devices-harness';

const LIMITS = {
  DEVICE_REGISTRATIONS_PER_IP_PER_HOUR: '4',
  DEVICE_REGISTRATIONS_PER_TOKEN_PER_HOUR: '2',
  DEVICE_API_REQUESTS_PER_MINUTE: '4',
};

describe('device API rate limits', () => {
  let h: DevicesHarness;
  let replica: Replica;
  const org = randomUUID();

  beforeAll(async () => {
    h = await startDevicesHarness(LIMITS);
    replica = await startReplica(h, LIMITS);
    const owner = await h.owner(org);
    await owner.expectData(
      'mutation { setDeviceSettings(requireApprovalForSharedEnrollments: false) { requireApprovalForSharedEnrollments } }',
    );
  });

  afterAll(async () => {
    await replica?.close();
    await h?.close();
  });

  const register = (apiUrl: string, token: string) =>
    fetch(`${apiUrl}/device`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Google/pixel_7' }),
    });

  const devices = async () =>
    (await h.sql<{ n: number }>('SELECT count(*)::int AS n FROM devices'))[0].n;

  async function expectLimited(res: Response) {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  }

  it('limits the requests of each device, across replicas', async () => {
    const res = await register(h.apiUrl, await h.enrollmentToken(org));
    expect(res.status).toBe(201);
    const device = (await res.json()) as { token: string };
    const pull = (apiUrl: string) =>
      fetch(`${apiUrl}/message`, { headers: { authorization: `Bearer ${device.token}` } });
    expect((await pull(h.apiUrl)).status).toBe(200);
    expect((await pull(replica.apiUrl)).status).toBe(200);
    expect((await pull(h.apiUrl)).status).toBe(200);
    expect((await pull(replica.apiUrl)).status).toBe(200);
    await expectLimited(await pull(h.apiUrl));
    await expectLimited(await pull(replica.apiUrl));
  });

  it('limits registrations per enrollment token and per client address, across replicas', async () => {
    const shared = await h.enrollmentToken(org, 'shared', { maxUses: 10 });
    expect((await register(h.apiUrl, shared)).status).toBe(201);
    // The second one through the other replica: the count is the database's.
    expect((await register(replica.apiUrl, shared)).status).toBe(201);
    const before = await devices();
    await expectLimited(await register(h.apiUrl, shared));
    expect(await devices()).toBe(before);

    // A fresh token is fine for the token limit, but this address has one registration left
    // (one went to the previous test).
    expect((await register(replica.apiUrl, await h.enrollmentToken(org))).status).toBe(201);
    await expectLimited(await register(h.apiUrl, await h.enrollmentToken(org)));
    // Guessing tokens counts too, and is refused the same way.
    await expectLimited(await register(replica.apiUrl, 'sbe_guess'));
    expect(await devices()).toBe(before + 1);
  });
});
