// Replays a session of the SMSGate app byte for byte as its Ktor/OkHttp client sends it
// (GatewayApi.kt: User-Agent, Gson bodies — nulls omitted, dates `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`
// in the phone's zone) and checks every answer has the shape the app parses.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { devicesV1, Topics } from '@switchboard/contracts';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';

const APP_HEADERS = {
  'User-Agent': 'me.capcom.smsgateway/1.39.2',
  Accept: 'application/json',
  'Accept-Charset': 'UTF-8',
  'Accept-Encoding': 'gzip',
  Connection: 'Keep-Alive',
};
/** Gson's `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`, as a phone in UTC+7 writes it. */
const GSON_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;

function gsonDate(date: Date, offsetMinutes = 7 * 60): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A raw HTTP/1.1 exchange (no fetch defaults added), like OkHttp's. */
function exchange(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: {
          ...headers,
          ...(body !== undefined
            ? {
                'Content-Type': 'application/json; charset=UTF-8',
                'Content-Length': String(Buffer.byteLength(body)),
              }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('SMSGate app protocol replay', () => {
  let h: DevicesHarness;
  const org = randomUUID();

  beforeAll(async () => {
    h = await startDevicesHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('serves a whole app session with the shapes the app parses', async () => {
    const states = await h.watch(Topics.devices.messageState);
    const enrollment = await h.enrollmentToken(org);
    const api = h.apiUrl;

    // RegistrationWorker → deviceRegister(DeviceRegisterRequest) with the private token.
    const registration = await exchange(
      `${api}/device`,
      'POST',
      { ...APP_HEADERS, Authorization: `Bearer ${enrollment}` },
      '{"name":"Google/sdk_gphone64_x86_64","simCards":[{"slotIndex":0,"simNumber":1,"phoneNumber":"****5554","carrierName":"****roid","iccid":"****0000"}]}',
    );
    expect(registration.status).toBe(201);
    expect(registration.headers['content-type']).toMatch(/^application\/json/);
    const device = JSON.parse(registration.text) as Record<string, unknown>;
    expect(Object.keys(device).sort()).toEqual(['id', 'login', 'token']);
    const auth = { ...APP_HEADERS, Authorization: `Bearer ${device.token as string}` };

    // devicePatch(DevicePatchRequest): Gson leaves out the null pushToken.
    const patch = await exchange(
      `${api}/device`,
      'PATCH',
      auth,
      `{"id":"${device.id as string}","simCards":[{"slotIndex":0,"simNumber":1,"phoneNumber":"****5554","carrierName":"****roid","iccid":"****0000"}]}`,
    );
    expect(patch.status).toBe(204);
    expect(patch.text).toBe('');

    // getDevice → DeviceGetResponse(externalIp).
    const info = JSON.parse((await exchange(`${api}/device`, 'GET', auth)).text) as {
      externalIp: unknown;
    };
    expect(typeof info.externalIp).toBe('string');

    // WebhooksUpdateWorker → List<WebHook(id, url, event)>; SettingsUpdateWorker → Map.
    const hooks = JSON.parse((await exchange(`${api}/webhooks`, 'GET', auth)).text) as {
      id: string;
      url: string;
      event: string;
    }[];
    // One hook per event the app posts: SMS and MMS received, to the same URL.
    expect(hooks).toEqual(
      ['sms:received', 'mms:received'].map((event) =>
        expect.objectContaining({
          id: expect.any(String),
          url: expect.stringMatching(/^http/),
          event,
        }),
      ),
    );
    expect(new Set(hooks.map((h) => h.url)).size).toBe(1);
    const settings = JSON.parse((await exchange(`${api}/settings`, 'GET', auth)).text) as Record<
      string,
      Record<string, unknown>
    >;
    expect(typeof settings.webhooks.signing_key).toBe('string');
    expect(settings.gateway.notification_channel).toBe('SSE_ONLY');
    expect(settings.ping.interval_seconds).toEqual(expect.any(Number));

    // A message for the phone, then PullMessagesWorker → getMessages(order).
    const messageId = randomUUID();
    await h.dispatch({
      orgId: org,
      messageId,
      to: '+14155550123',
      body: 'Ваш код 1234',
      validUntil: new Date(Date.now() + 3600_000),
    });
    await states.waitFor(
      (e) => e.key === messageId && e.message.state === devicesV1.MessageState.DISPATCHED,
    );
    const pulled = await exchange(`${api}/message?order=lifo`, 'GET', auth);
    expect(pulled.status).toBe(200);
    const [message, ...more] = JSON.parse(pulled.text) as Record<string, unknown>[];
    expect(more).toEqual([]);
    expect(message).toEqual({
      id: messageId,
      message: 'Ваш код 1234',
      textMessage: { text: 'Ваш код 1234' },
      dataMessage: null,
      phoneNumbers: ['+14155550123'],
      simNumber: 1,
      withDeliveryReport: true,
      isEncrypted: false,
      ttl: null,
      validUntil: expect.stringMatching(GSON_DATE),
      scheduleAt: null,
      priority: 0,
      state: 'Pending',
      createdAt: expect.stringMatching(GSON_DATE),
    });
    expect((message.id as string).length).toBeLessThanOrEqual(36);

    // SendStateWorker → patchMessages(List<MessagePatchRequest>), dates in the phone's zone,
    // error omitted when null; sent twice (the app retries).
    const processed = gsonDate(new Date(Date.now() - 2000));
    const sent = gsonDate(new Date(Date.now() - 1000));
    const report = `[{"id":"${messageId}","state":"Sent","recipients":[{"phoneNumber":"+14155550123","state":"Sent"}],"states":{"Processed":"${processed}","Sent":"${sent}"}}]`;
    expect((await exchange(`${api}/message`, 'PATCH', auth, report)).status).toBe(204);
    expect((await exchange(`${api}/message`, 'PATCH', auth, report)).status).toBe(204);
    const sentEvent = await states.waitFor(
      (e) => e.key === messageId && e.message.state === devicesV1.MessageState.SENT,
    );
    expect(sentEvent.message.occurredAt?.seconds).toBe(BigInt(Math.floor(Date.parse(sent) / 1000)));
    expect(states.events.filter((e) => e.key === messageId).map((e) => e.message.state)).toEqual([
      devicesV1.MessageState.DISPATCHED,
      devicesV1.MessageState.PROCESSED,
      devicesV1.MessageState.SENT,
    ]);

    // An older app version sends the state history as epoch milliseconds.
    const delivered = `[{"id":"${messageId}","state":"Delivered","recipients":[{"phoneNumber":"+14155550123","state":"Delivered"}],"states":{"Delivered":${Date.now()}}}]`;
    expect((await exchange(`${api}/message`, 'PATCH', auth, delivered)).status).toBe(204);
    await states.waitFor(
      (e) => e.key === messageId && e.message.state === devicesV1.MessageState.DELIVERED,
    );
    expect(JSON.parse((await exchange(`${api}/message?order=fifo`, 'GET', auth)).text)).toEqual([]);

    // A token the server no longer knows: 401, which makes the app register again.
    const revoked = await exchange(`${api}/message`, 'GET', {
      ...APP_HEADERS,
      Authorization: `Bearer sbd_${'A'.repeat(43)}`,
    });
    expect(revoked.status).toBe(401);
    expect(revoked.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('streams events the way the app SSE client reads them', async () => {
    const enrollment = await h.enrollmentToken(org);
    const registration = JSON.parse(
      (
        await exchange(
          `${h.apiUrl}/device`,
          'POST',
          { ...APP_HEADERS, Authorization: `Bearer ${enrollment}` },
          '{"name":"Xiaomi/lmi","simCards":[]}',
        )
      ).text,
    ) as { id: string; token: string };
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(`${h.apiUrl}/events`, {
        headers: {
          ...APP_HEADERS,
          Accept: 'text/event-stream',
          Authorization: `Bearer ${registration.token}`,
        },
      });
      req.on('response', (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          if (buffer.includes('event: MessageEnqueued\ndata: null\n\n')) {
            req.destroy();
            resolve(buffer);
          }
        });
        void h.dispatch({ orgId: org, deviceId: registration.id, excludedDeviceIds: [] });
      });
      req.on('error', reject);
      req.end();
    });
    expect(text).toContain('event: MessageEnqueued\ndata: null\n\n');
  });
});
