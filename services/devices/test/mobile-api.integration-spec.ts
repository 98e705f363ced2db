// The SMSGate device API, endpoint by endpoint, including what it must refuse. Bad input gets a
// 4xx problem+json and writes nothing.
import { randomUUID } from 'node:crypto';
import { Topics } from '@switchboard/contracts';
import { scrapeMetrics } from '@switchboard/testing';
import { signWebhook } from '../src/domain/webhook-signature';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';

const UA = 'me.capcom.smsgateway/1.40.0';

describe('device API /api/mobile/v1', () => {
  let h: DevicesHarness;
  const orgA = randomUUID();
  const orgB = randomUUID();
  let enrollA: string;
  let deviceA: { id: string; token: string };
  let deviceB: { id: string; token: string };

  const call = (
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    } = {},
  ) =>
    fetch(`${h.apiUrl}${path}`, {
      method,
      headers: {
        'user-agent': UA,
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined || options.raw !== undefined
          ? { 'content-type': 'application/json; charset=UTF-8' }
          : {}),
        ...options.headers,
      },
      body: options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
    });

  const register = async (
    token: string,
    body: unknown = { name: 'Google/pixel_7', pushToken: null, simCards: [] },
  ) => {
    const res = await call('POST', '/device', { token, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const counts = async () =>
    (
      await h.sql<{ devices: number; sims: number; credentials: number; outbox: number }>(
        `SELECT (SELECT count(*)::int FROM devices) AS devices, (SELECT count(*)::int FROM sims) AS sims,
                (SELECT count(*)::int FROM credentials) AS credentials,
                (SELECT count(*)::int FROM outbox) AS outbox`,
      )
    )[0];

  beforeAll(async () => {
    h = await startDevicesHarness({ SSE_KEEPALIVE_SECONDS: '0.2' });
    enrollA = await h.enrollmentToken(orgA, 'shop phones');
    const a = await register(enrollA, {
      name: 'samsung/a52q',
      pushToken: null,
      simCards: [
        {
          slotIndex: 0,
          simNumber: 1,
          phoneNumber: '****0123',
          carrierName: 'T-Mobile',
          iccid: '****9876',
        },
        { slotIndex: 1, simNumber: 2, phoneNumber: null, carrierName: 'Vodafone', iccid: null },
      ],
    });
    deviceA = a.body as { id: string; token: string };
    deviceB = (await register(await h.enrollmentToken(orgB))).body as { id: string; token: string };
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /device (registration)', () => {
    it('registers with an enrollment token: 201 {id, token, login}', async () => {
      expect(deviceA).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        token: expect.stringMatching(/^sbd_[A-Za-z0-9_-]{43}$/),
        login: deviceA.id,
      });
      const [row] = await h.sql<Record<string, unknown>>(
        `SELECT org_id, manufacturer, model, app_version FROM devices WHERE id = $1`,
        [deviceA.id],
      );
      expect(row).toEqual({
        org_id: orgA,
        manufacturer: 'samsung',
        model: 'a52q',
        app_version: '1.40.0',
      });
      const sims = await h.sql(
        `SELECT slot, carrier_name, masked_number FROM sims WHERE device_id = $1 ORDER BY slot`,
        [deviceA.id],
      );
      expect(sims).toEqual([
        { slot: 1, carrier_name: 'T-Mobile', masked_number: '****0123' },
        { slot: 2, carrier_name: 'Vodafone', masked_number: null },
      ]);
      // Only the hash of the token is stored.
      const stored = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM credentials WHERE token_hash = sha256(convert_to($1, 'UTF8'))`,
        [deviceA.token],
      );
      expect(stored[0].n).toBe(1);
    });

    it('refuses bad credentials with 401 and writes nothing', async () => {
      const before = await counts();
      for (const token of ['', 'sbe_nope', `sbe_${'x'.repeat(43)}`, deviceA.token]) {
        const res = await call('POST', '/device', { token, body: { name: 'x', pushToken: null } });
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
      const basic = await call('POST', '/device', {
        headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
        body: { name: 'x' },
      });
      expect(basic.status).toBe(401);
      expect(await counts()).toEqual(before);
    });

    it('refuses a revoked or expired enrollment token', async () => {
      const owner = await h.owner(orgA);
      const created = await owner.expectData<{
        createDeviceEnrollment: { id: string; token: string };
      }>(`mutation { createDeviceEnrollment(name: "temp") { id token } }`);
      await owner.expectData(`mutation($id: ID!) { revokeDeviceEnrollment(id: $id) }`, {
        id: created.createDeviceEnrollment.id,
      });
      expect((await register(created.createDeviceEnrollment.token)).status).toBe(401);

      const expiring = await owner.expectData<{ createDeviceEnrollment: { token: string } }>(
        `mutation($at: DateTime) { createDeviceEnrollment(expiresAt: $at) { token } }`,
        { at: new Date(h.clock.now().getTime() + 1500).toISOString() },
      );
      h.clock.advance(1600);
      try {
        expect((await register(expiring.createDeviceEnrollment.token)).status).toBe(401);
      } finally {
        h.clock.reset();
      }
    });

    it('answers malformed JSON, wrong types and oversized bodies with 4xx, writing nothing', async () => {
      const before = await counts();
      const malformed = await call('POST', '/device', { token: enrollA, raw: '{"name": "x",' });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ status: 400, code: 'BAD_REQUEST' });

      const wrongTypes = await call('POST', '/device', {
        token: enrollA,
        body: { name: 42, simCards: [{ slotIndex: 'zero', simNumber: 1 }] },
      });
      expect(wrongTypes.status).toBe(400);
      expect(await wrongTypes.json()).toMatchObject({ code: 'INVALID_REQUEST' });

      const notAnObject = await call('POST', '/device', { token: enrollA, body: ['x'] });
      expect(notAnObject.status).toBe(400);

      const huge = await call('POST', '/device', {
        token: enrollA,
        raw: JSON.stringify({ name: 'x', pushToken: 'p'.repeat(300 * 1024) }),
      });
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(await counts()).toEqual(before);
    });
  });

  describe('PATCH /device', () => {
    it('updates the push token and SIMs of the caller: 204', async () => {
      const res = await call('PATCH', '/device', {
        token: deviceA.token,
        body: {
          id: deviceA.id,
          pushToken: null,
          simCards: [
            {
              slotIndex: 0,
              simNumber: 1,
              phoneNumber: '****4567',
              carrierName: 'AT&T',
              iccid: null,
            },
          ],
        },
      });
      expect(res.status).toBe(204);
      const sims = await h.sql(
        `SELECT slot, carrier_name, masked_number FROM sims WHERE device_id = $1`,
        [deviceA.id],
      );
      expect(sims).toEqual([{ slot: 1, carrier_name: 'AT&T', masked_number: '****4567' }]);
    });

    it('is 403 for another id, 401 for a bad token, 400 for bad input', async () => {
      const other = await call('PATCH', '/device', {
        token: deviceA.token,
        body: { id: deviceB.id, pushToken: 'x' },
      });
      expect(other.status).toBe(403);
      expect(
        (
          await call('PATCH', '/device', {
            token: `sbd_${'a'.repeat(43)}`,
            body: { id: deviceA.id },
          })
        ).status,
      ).toBe(401);
      expect((await call('PATCH', '/device', { body: { id: deviceA.id } })).status).toBe(401);
      expect(
        (await call('PATCH', '/device', { token: deviceA.token, body: { id: 7 } })).status,
      ).toBe(400);
      const [row] = await h.sql<{ push_token: string | null }>(
        `SELECT push_token FROM devices WHERE id = $1`,
        [deviceB.id],
      );
      expect(row.push_token).toBeNull();
    });
  });

  describe('GET /device', () => {
    it('answers the external IP, and the device when the token is valid', async () => {
      const anonymous = await call('GET', '/device');
      expect(await anonymous.json()).toEqual({ externalIp: expect.any(String) });
      const known = await call('GET', '/device', { token: deviceA.token });
      expect(await known.json()).toMatchObject({
        externalIp: expect.any(String),
        device: { id: deviceA.id },
      });
      expect((await call('GET', '/device', { token: 'garbage' })).status).toBe(401);
    });
  });

  describe('GET /webhooks and GET /settings', () => {
    it('point the phone at our signed inbound receiver', async () => {
      const hooks = (await (
        await call('GET', '/webhooks', { token: deviceA.token })
      ).json()) as unknown[];
      expect(hooks).toEqual([
        {
          id: 'switchboard-sms-received',
          deviceId: deviceA.id,
          url: `${h.baseUrl}/api/device-hooks/${orgA}/${deviceA.id}`,
          event: 'sms:received',
        },
        // The app posts MMS notifications only to a webhook registered for `mms:received`.
        {
          id: 'switchboard-mms-received',
          deviceId: deviceA.id,
          url: `${h.baseUrl}/api/device-hooks/${orgA}/${deviceA.id}`,
          event: 'mms:received',
        },
      ]);
      const settings = (await (
        await call('GET', '/settings', { token: deviceA.token })
      ).json()) as {
        webhooks: { signing_key: string };
      };
      expect(settings).toEqual({
        webhooks: { signing_key: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) },
        gateway: { notification_channel: 'SSE_ONLY' },
        ping: { interval_seconds: 60 },
      });
      // Each device has its own key, stored encrypted.
      const other = (await (
        await call('GET', '/settings', { token: deviceB.token })
      ).json()) as typeof settings;
      expect(other.webhooks.signing_key).not.toBe(settings.webhooks.signing_key);
      const [row] = await h.sql<{ k: string }>(
        `SELECT webhook_signing_key AS k FROM devices WHERE id = $1`,
        [deviceA.id],
      );
      expect(row.k).not.toContain(settings.webhooks.signing_key);
      expect(row.k.startsWith('v1.')).toBe(true);
    });

    it('need a device token', async () => {
      expect((await call('GET', '/webhooks')).status).toBe(401);
      expect((await call('GET', '/settings', { token: enrollA })).status).toBe(401);
    });
  });

  describe('GET /message and PATCH /message', () => {
    it('hands out nothing when nothing is queued; refuses a bad order', async () => {
      const res = await call('GET', '/message?order=fifo', { token: deviceA.token });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([]);
      expect((await call('GET', '/messages?order=lifo', { token: deviceA.token })).status).toBe(
        200,
      );
      expect((await call('GET', '/message?order=random', { token: deviceA.token })).status).toBe(
        400,
      );
      expect((await call('GET', '/message')).status).toBe(401);
    });

    it('accepts reports for unknown messages (204) and changes nothing', async () => {
      const before = await counts();
      const res = await call('PATCH', '/message', {
        token: deviceA.token,
        body: [
          {
            id: 'unknown-message',
            state: 'Sent',
            recipients: [{ phoneNumber: '+14155550123', state: 'Sent', error: null }],
            states: {
              Processed: '2024-05-13T16:49:17.357+07:00',
              Sent: '2024-05-13T16:49:18.001+07:00',
            },
          },
        ],
      });
      expect(res.status).toBe(204);
      expect(await counts()).toEqual(before);
    });

    it('refuses malformed reports with 400', async () => {
      for (const body of [
        { id: 'x' },
        [{ id: 'x', state: 'Exploded', recipients: [] }],
        [{ state: 'Sent' }],
      ]) {
        expect((await call('PATCH', '/message', { token: deviceA.token, body })).status).toBe(400);
      }
      expect((await call('PATCH', '/message', { token: deviceA.token, raw: '[{' })).status).toBe(
        400,
      );
    });

    it("does not let a device report on another organization's message", async () => {
      const messageId = randomUUID();
      const states = await h.watch(Topics.devices.messageState);
      await h.dispatch({ orgId: orgA, messageId });
      await states.waitFor((e) => e.key === messageId && e.message.state === 1);
      const res = await call('PATCH', '/message', {
        token: deviceB.token,
        body: [
          {
            id: messageId,
            state: 'Failed',
            recipients: [{ phoneNumber: '+1', state: 'Failed', error: 'x' }],
            states: {},
          },
        ],
      });
      expect(res.status).toBe(204);
      const [row] = await h.sql<{ state: string }>(
        `SELECT state FROM device_messages WHERE message_id = $1`,
        [messageId],
      );
      expect(row.state).toBe('QUEUED');
      // The device of org B is not handed org A's message either.
      expect(await (await call('GET', '/message', { token: deviceB.token })).json()).toEqual([]);
    });
  });

  describe('GET /events (SSE)', () => {
    it('streams keepalives and MessageEnqueued when a message is queued for the device', async () => {
      const controller = new AbortController();
      const res = await fetch(`${h.apiUrl}/events`, {
        headers: { authorization: `Bearer ${deviceB.token}`, 'user-agent': UA },
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
          text += Buffer.from(value).toString('utf8');
        }
      };
      await readUntil(/:connected\n\n/);
      await readUntil(/:keepalive\n\n/);
      const metrics = await scrapeMetrics(h.app);
      expect(metrics).toMatch(/^devices_sse_streams\{service="devices"\} 1$/m);
      await h.dispatch({ orgId: orgB });
      await readUntil(/event: MessageEnqueued\ndata: null\n\n/);
      controller.abort();
    });

    it('needs a device token', async () => {
      expect((await fetch(`${h.apiUrl}/events`)).status).toBe(401);
    });
  });

  describe('POST /api/device-hooks (inbound receiver)', () => {
    it('refuses unsigned, badly signed, stale and replayed calls; writes nothing for them', async () => {
      const settings = (await (
        await call('GET', '/settings', { token: deviceA.token })
      ).json()) as {
        webhooks: { signing_key: string };
      };
      const key = settings.webhooks.signing_key;
      const url = `${h.baseUrl}/api/device-hooks/${orgA}/${deviceA.id}`;
      const body = JSON.stringify({
        id: 'evt-1',
        webhookId: 'switchboard-sms-received',
        event: 'sms:received',
        deviceId: deviceA.id,
        payload: {
          messageId: 'sms-1',
          message: 'hello',
          sender: '+14155550199',
          recipient: null,
          simNumber: 1,
          receivedAt: '2024-05-13T16:49:17.357+07:00',
        },
      });
      const post = (headers: Record<string, string>, raw = body, target = url) =>
        fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: raw,
        });
      const now = String(Math.floor(Date.now() / 1000));
      const receipts = async () =>
        (await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM inbound_receipts`))[0].n;

      expect((await post({})).status).toBe(401);
      expect(
        (await post({ 'x-timestamp': now, 'x-signature': signWebhook('wrong', body, now) })).status,
      ).toBe(401);
      const old = String(Math.floor(Date.now() / 1000) - 301);
      expect(
        (await post({ 'x-timestamp': old, 'x-signature': signWebhook(key, body, old) })).status,
      ).toBe(401);
      expect(
        (
          await post(
            { 'x-timestamp': now, 'x-signature': signWebhook(key, body, now) },
            body,
            `${h.baseUrl}/api/device-hooks/${orgB}/${deviceA.id}`,
          )
        ).status,
      ).toBe(401);
      expect(await receipts()).toBe(0);

      const signed = { 'x-timestamp': now, 'x-signature': signWebhook(key, body, now) };
      expect((await post(signed)).status).toBe(204);
      const replay = await post(signed);
      expect(replay.status).toBe(409);
      expect(await replay.json()).toMatchObject({ code: 'REPLAYED_REQUEST' });
      expect(await receipts()).toBe(1);

      const bad = JSON.stringify({ id: 'evt-2', event: 'sms:received', payload: { message: 5 } });
      expect(
        (await post({ 'x-timestamp': now, 'x-signature': signWebhook(key, bad, now) }, bad)).status,
      ).toBe(400);
      expect(await receipts()).toBe(1);
    });
  });

  describe('removed devices', () => {
    it('lose their token: 401 everywhere', async () => {
      // Enrollment tokens are single-use: the extra phone gets its own.
      const extra = (await register(await h.enrollmentToken(orgA))).body as {
        id: string;
        token: string;
      };
      const owner = await h.owner(orgA);
      await owner.expectData(`mutation($id: ID!) { removeDevice(id: $id) }`, { id: extra.id });
      expect((await call('GET', '/message', { token: extra.token })).status).toBe(401);
      expect((await call('GET', '/settings', { token: extra.token })).status).toBe(401);
    });
  });
});
