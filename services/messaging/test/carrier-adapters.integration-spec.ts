// Contract tests of the Twilio and Telnyx adapters: every request they make reaches the local
// vendor server, which validates it against the vendor's OpenAPI spec (../shared/vendor-specs);
// vendor errors come back normalized. Also checks that the callbacks the tests send are the
// vendors' documented shapes (Telnyx's spec models its webhooks).
import type { MessagingConfig } from '../src/config';
import type { CarrierAccountSecrets, CarrierSendRequest } from '../src/carriers/carrier';
import { TelnyxAdapter } from '../src/carriers/telnyx/telnyx.adapter';
import { TwilioAdapter } from '../src/carriers/twilio/twilio.adapter';
import {
  CarrierTestServer,
  telnyxInboundEvent,
  telnyxStatusEvent,
  vendorContracts,
} from './support/carrier-test-server';

const twilioAccount: CarrierAccountSecrets = {
  kind: 'TWILIO',
  accountSid: `AC${'0123456789abcdef'.repeat(2)}`,
  authToken: 'f'.repeat(32),
  messagingServiceSid: `MG${'1'.repeat(32)}`,
};
const telnyxAccount: CarrierAccountSecrets = {
  kind: 'TELNYX',
  apiKey: 'KEY0123456789ABCDEFGHIJ_test',
  webhookPublicKey: Buffer.alloc(32, 1).toString('base64'),
  messagingProfileId: '4001767e-ce0f-4cae-9d5f-0d5e636e7809',
};
const sms: CarrierSendRequest = {
  messageId: '00000000-0000-4000-8000-000000000001',
  to: '+14155550123',
  from: '+14155550100',
  body: 'Your code is 1234',
  mediaUrls: [],
  statusCallbackUrl: 'https://sb.example/api/carrier-hooks/twilio/o/a/status',
};

describe('carrier adapters against the vendors’ OpenAPI specs', () => {
  let server: CarrierTestServer;
  let twilio: TwilioAdapter;
  let telnyx: TelnyxAdapter;

  beforeAll(async () => {
    server = await CarrierTestServer.start();
    const config = { ...server.env, CARRIER_TIMEOUT_MS: 5000 } as unknown as MessagingConfig;
    twilio = new TwilioAdapter(config);
    telnyx = new TelnyxAdapter(config);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('the validator is not vacuous: it refuses requests the specs forbid', () => {
    const { twilio: t, telnyx: x } = vendorContracts();
    expect(
      t.validateRequest({
        method: 'POST',
        path: `/2010-04-01/Accounts/${twilioAccount.kind === 'TWILIO' ? twilioAccount.accountSid : ''}/Messages.json`,
        contentType: 'application/x-www-form-urlencoded',
        body: { Body: 'no recipient', Bdy: 'typo' },
      }),
    ).toEqual([
      "body: data must have required property 'To'",
      'body: field Bdy is not in the spec',
    ]);
    expect(
      x.validateRequest({
        method: 'POST',
        path: '/messages',
        contentType: 'application/json',
        body: { text: 'no recipient' },
      }),
    ).toEqual(["body: data must have required property 'to'"]);
  });

  it('Twilio: an SMS from a number, form-encoded as the spec says', async () => {
    const result = await twilio.send(twilioAccount, sms);
    const request = server.sent('twilio').at(-1)!;
    expect(request.violations).toEqual([]);
    expect(request.path).toBe(
      `/2010-04-01/Accounts/${(twilioAccount as { accountSid: string }).accountSid}/Messages.json`,
    );
    expect(request.body).toEqual({
      To: sms.to,
      From: sms.from,
      Body: sms.body,
      StatusCallback: sms.statusCallbackUrl,
    });
    expect(result).toEqual({ ok: true, externalId: request.externalId, status: 'QUEUED' });
  });

  it('Twilio: an MMS through the messaging service (no From), media as repeated MediaUrl', async () => {
    const result = await twilio.send(twilioAccount, {
      ...sms,
      from: null,
      body: '',
      mediaUrls: ['https://cdn.example/a.jpg', 'https://cdn.example/b.png'],
    });
    const request = server.sent('twilio').at(-1)!;
    expect(request.violations).toEqual([]);
    expect(request.body).toEqual({
      To: sms.to,
      MessagingServiceSid: (twilioAccount as { messagingServiceSid: string }).messagingServiceSid,
      MediaUrl: ['https://cdn.example/a.jpg', 'https://cdn.example/b.png'],
      StatusCallback: sms.statusCallbackUrl,
    });
    expect(result.ok).toBe(true);
  });

  it('Twilio: errors are normalized (21610 → OPTED_OUT; 429 and 503 transient)', async () => {
    server.failNext('twilio', {
      status: 400,
      code: 21610,
      text: 'Attempt to send to unsubscribed recipient',
    });
    expect(await twilio.send(twilioAccount, sms)).toEqual({
      ok: false,
      error: {
        code: 'OPTED_OUT',
        rawCode: '21610',
        rawText: 'Attempt to send to unsubscribed recipient',
        retryableOnAnotherRoute: false,
        transient: false,
      },
    });
    server.failNext('twilio', { status: 429, code: 20429, text: 'Too Many Requests' });
    expect(await twilio.send(twilioAccount, sms)).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', transient: true },
    });
    server.failNext('twilio', { status: 503, text: 'Service Unavailable' });
    expect(await twilio.send(twilioAccount, sms)).toMatchObject({
      ok: false,
      error: { code: 'CARRIER_UNAVAILABLE', transient: true, retryableOnAnotherRoute: true },
    });
    expect(server.sent('twilio').every((r) => r.violations.length === 0)).toBe(true);
  });

  it('Telnyx: an SMS and an MMS, JSON as the spec says', async () => {
    const result = await telnyx.send(telnyxAccount, sms);
    let request = server.sent('telnyx').at(-1)!;
    expect(request.violations).toEqual([]);
    expect(request.path).toBe('/v2/messages');
    expect(request.headers.authorization).toBe(
      `Bearer ${(telnyxAccount as { apiKey: string }).apiKey}`,
    );
    expect(request.body).toEqual({
      to: sms.to,
      from: sms.from,
      messaging_profile_id: (telnyxAccount as { messagingProfileId: string }).messagingProfileId,
      text: sms.body,
      webhook_url: sms.statusCallbackUrl,
    });
    expect(result).toEqual({ ok: true, externalId: request.externalId, status: 'QUEUED' });

    expect(
      (await telnyx.send(telnyxAccount, { ...sms, mediaUrls: ['https://cdn.example/a.jpg'] })).ok,
    ).toBe(true);
    request = server.sent('telnyx').at(-1)!;
    expect(request.violations).toEqual([]);
    expect(request.body).toMatchObject({ media_urls: ['https://cdn.example/a.jpg'], type: 'MMS' });
  });

  it('Telnyx: errors are normalized (10002 → INVALID_NUMBER; 500 transient)', async () => {
    server.failNext('telnyx', { status: 422, code: '10002', text: 'Invalid phone number' });
    expect(await telnyx.send(telnyxAccount, sms)).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_NUMBER',
        rawCode: '10002',
        transient: false,
        retryableOnAnotherRoute: false,
      },
    });
    server.failNext('telnyx', { status: 500, text: 'oops' });
    expect(await telnyx.send(telnyxAccount, sms)).toMatchObject({
      ok: false,
      error: { code: 'CARRIER_UNAVAILABLE', rawCode: 'HTTP_500', transient: true },
    });
  });

  it('checks credentials with a read-only call each spec allows (Twilio account, Telnyx balance)', async () => {
    expect(await twilio.check(twilioAccount)).toEqual({ ok: true });
    const fetched = server.sent('twilio').at(-1)!;
    expect(fetched).toMatchObject({
      method: 'GET',
      path: `/2010-04-01/Accounts/${(twilioAccount as { accountSid: string }).accountSid}.json`,
      violations: [],
    });
    expect(await telnyx.check(telnyxAccount)).toEqual({ ok: true });
    expect(server.sent('telnyx').at(-1)).toMatchObject({
      method: 'GET',
      path: '/v2/balance',
      violations: [],
    });

    server.failNext('twilio', { status: 401, code: 20003, text: 'Authenticate' });
    expect(await twilio.check(twilioAccount)).toMatchObject({
      ok: false,
      error: { code: 'AUTH_FAILED', rawCode: '20003' },
    });
    server.failNext('telnyx', { status: 401, code: '10009', text: 'Authentication failed' });
    expect(await telnyx.check(telnyxAccount)).toMatchObject({
      ok: false,
      error: { code: 'AUTH_FAILED', rawCode: '10009' },
    });
  });

  it('no answer at all (connection refused) is transient, for both', async () => {
    const config = {
      TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
      TELNYX_API_BASE_URL: 'http://127.0.0.1:9/v2',
      CARRIER_TIMEOUT_MS: 2000,
    } as unknown as MessagingConfig;
    for (const [adapter, account] of [
      [new TwilioAdapter(config), twilioAccount],
      [new TelnyxAdapter(config), telnyxAccount],
    ] as const) {
      expect(await adapter.send(account, sms)).toMatchObject({
        ok: false,
        error: { code: 'CARRIER_UNAVAILABLE', rawCode: 'HTTP_0', transient: true },
      });
    }
  });

  it('the Telnyx webhooks the tests send are the documented shapes', () => {
    const { telnyx: x } = vendorContracts();
    expect(
      x.validateSchema('OutboundMessageEvent', telnyxStatusEvent('id-1', sms.to, 'delivered')),
    ).toEqual([]);
    expect(
      x.validateSchema(
        'InboundMessageEvent',
        telnyxInboundEvent('+14155550123', '+14155550100', 'hi', ['https://m.example/1.jpg']),
      ),
    ).toEqual([]);
    expect(
      x.validateSchema('OutboundMessageEvent', { data: { payload: { to: 'not a list' } } }),
    ).not.toEqual([]);
  });
});
