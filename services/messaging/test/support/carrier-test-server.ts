// A local Twilio + Telnyx for tests: the two send endpoints the adapters call, answering as
// the vendors document (Twilio: 201 + Message resource, errors `{code, message, status}`;
// Telnyx: 200 + `{data: Message}`, errors `{errors: [{code, title, detail}]}`), every request
// checked against the vendor's OpenAPI spec (`violations`), with scripted failures. Plus the
// other direction: vendor-shaped callbacks signed with locally made keys (Twilio: the auth
// token's HMAC-SHA1 via the twilio library; Telnyx: an Ed25519 key pair from node:crypto).
import {
  createHash,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { OpenApiContract } from './openapi-contract';

export type Vendor = 'twilio' | 'telnyx';

export interface SeenRequest {
  vendor: Vendor;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** JSON, or form fields (repeated ones as arrays). */
  body: Record<string, unknown>;
  /** What the vendor's OpenAPI spec says is wrong with it (empty: valid). */
  violations: string[];
  /** The vendor id answered (on success). */
  externalId?: string;
}

export interface ScriptedAnswer {
  status: number;
  /** Twilio error code / Telnyx errors[0].code. */
  code?: string | number;
  text?: string;
}

let contracts: { twilio: OpenApiContract; telnyx: OpenApiContract } | undefined;
/** The specs, parsed once per test file (Telnyx's is 4 MB of YAML). */
export function vendorContracts(): { twilio: OpenApiContract; telnyx: OpenApiContract } {
  contracts ??= { twilio: OpenApiContract.twilioApi(), telnyx: OpenApiContract.telnyx() };
  return contracts;
}

export class CarrierTestServer {
  readonly requests: SeenRequest[] = [];
  private readonly scripted: Record<Vendor, ScriptedAnswer[]> = { twilio: [], telnyx: [] };
  private server?: Server;
  url = '';

  static async start(): Promise<CarrierTestServer> {
    const s = new CarrierTestServer();
    vendorContracts();
    s.server = createServer((req, res) => void s.handle(req, res));
    await new Promise<void>((done) => s.server!.listen(0, '127.0.0.1', done));
    s.url = `http://127.0.0.1:${(s.server!.address() as AddressInfo).port}`;
    return s;
  }

  /** TWILIO_API_BASE_URL and TELNYX_API_BASE_URL for messaging. */
  get env(): Record<string, string> {
    return { TWILIO_API_BASE_URL: this.url, TELNYX_API_BASE_URL: `${this.url}/v2` };
  }

  /** The next send to `vendor` gets this answer instead of an acceptance. */
  failNext(vendor: Vendor, answer: ScriptedAnswer, times = 1): void {
    for (let i = 0; i < times; i += 1) this.scripted[vendor].push(answer);
  }

  sent(vendor: Vendor): SeenRequest[] {
    return this.requests.filter((r) => r.vendor === vendor);
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => this.server?.close(() => done()) ?? done());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', this.url).pathname;
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const vendor: Vendor | undefined = path.startsWith('/2010-04-01/')
      ? 'twilio'
      : path.startsWith('/v2/')
        ? 'telnyx'
        : undefined;
    if (!vendor) return void res.writeHead(404).end();
    const body = !raw ? {} : contentType === 'application/json' ? safeJson(raw) : formFields(raw);
    const seen: SeenRequest = {
      vendor,
      method: req.method ?? '',
      path,
      headers: req.headers,
      body,
      violations: vendorContracts()[vendor].validateRequest({
        method: req.method ?? '',
        path: vendor === 'telnyx' ? path.slice('/v2'.length) : path,
        contentType,
        body,
      }),
    };
    this.requests.push(seen);
    const scripted = this.scripted[vendor].shift();
    if (req.method === 'GET') return this.read(req, res, seen, scripted);
    if (vendor === 'twilio') return this.twilio(req, res, seen, scripted);
    return this.telnyx(req, res, seen, scripted);
  }

  /** Twilio's account fetch and Telnyx's balance (testCarrierAccount). */
  private read(
    req: IncomingMessage,
    res: ServerResponse,
    seen: SeenRequest,
    scripted?: ScriptedAnswer,
  ) {
    if (seen.vendor === 'twilio') {
      const sid = seen.path.split('/')[3]!.replace(/\.json$/, '');
      const auth = Buffer.from(
        (req.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      if (scripted || !auth.startsWith(`${sid}:`) || seen.violations.length) {
        const status = scripted?.status ?? (seen.violations.length ? 404 : 401);
        return json(res, status, {
          code: Number(scripted?.code ?? 20003),
          message: scripted?.text ?? 'Authenticate',
          status,
        });
      }
      return json(res, 200, {
        sid,
        friendly_name: 'Test account',
        status: 'active',
        type: 'Full',
        date_created: new Date().toUTCString(),
        date_updated: new Date().toUTCString(),
        owner_account_sid: sid,
        uri: `/2010-04-01/Accounts/${sid}.json`,
      });
    }
    if (
      scripted ||
      !/^Bearer \S+/.test(req.headers.authorization ?? '') ||
      seen.violations.length
    ) {
      return json(res, scripted?.status ?? 401, {
        errors: [
          {
            code: String(scripted?.code ?? '10009'),
            title: scripted?.text ?? 'Authentication failed',
          },
        ],
      });
    }
    return json(res, 200, {
      data: {
        record_type: 'balance',
        balance: '100.00',
        credit_limit: '0.00',
        available_credit: '100.00',
        pending: '0.00',
        currency: 'USD',
      },
    });
  }

  private twilio(
    req: IncomingMessage,
    res: ServerResponse,
    seen: SeenRequest,
    scripted?: ScriptedAnswer,
  ) {
    const auth = Buffer.from(
      (req.headers.authorization ?? '').replace(/^Basic /, ''),
      'base64',
    ).toString();
    const accountSid = seen.path.split('/')[3];
    if (!auth.startsWith(`${accountSid}:`))
      return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
    if (scripted) {
      return json(res, scripted.status, {
        code: scripted.code === undefined ? undefined : Number(scripted.code),
        message: scripted.text ?? 'error',
        more_info: `https://www.twilio.com/docs/errors/${scripted.code}`,
        status: scripted.status,
      });
    }
    if (seen.violations.length)
      return json(res, 400, { code: 21604, message: seen.violations.join('; '), status: 400 });
    const sid = `SM${randomBytes(16).toString('hex')}`;
    seen.externalId = sid;
    const b = seen.body as Record<string, string | string[]>;
    const media = ([] as string[]).concat(b.MediaUrl ?? []);
    return json(res, 201, {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: b.Body ?? '',
      date_created: new Date().toUTCString(),
      date_sent: null,
      date_updated: new Date().toUTCString(),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: b.From ?? null,
      messaging_service_sid: b.MessagingServiceSid ?? null,
      num_media: String(media.length),
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to: b.To,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  }

  private telnyx(
    req: IncomingMessage,
    res: ServerResponse,
    seen: SeenRequest,
    scripted?: ScriptedAnswer,
  ) {
    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      return json(res, 401, { errors: [{ code: '10009', title: 'Authentication failed' }] });
    }
    if (scripted) {
      return json(res, scripted.status, {
        errors: [
          {
            code: scripted.code === undefined ? undefined : String(scripted.code),
            title: scripted.text ?? 'error',
            detail: scripted.text ?? 'error',
          },
        ],
      });
    }
    if (seen.violations.length) {
      return json(res, 422, {
        errors: [{ code: '10015', title: 'Bad Request', detail: seen.violations.join('; ') }],
      });
    }
    const id = randomUUID();
    seen.externalId = id;
    const b = seen.body as {
      to: string;
      from?: string;
      text?: string;
      media_urls?: string[];
      type?: string;
      messaging_profile_id?: string;
    };
    return json(res, 200, {
      data: {
        record_type: 'message',
        direction: 'outbound',
        id,
        type: b.type ?? 'SMS',
        messaging_profile_id: b.messaging_profile_id ?? null,
        from: { phone_number: b.from ?? '+15005550001', carrier: 'Telnyx', line_type: 'Wireless' },
        to: [
          {
            phone_number: b.to,
            status: 'queued',
            carrier: 'T-MOBILE USA, INC.',
            line_type: 'Wireless',
          },
        ],
        text: b.text ?? '',
        media: (b.media_urls ?? []).map((url) => ({ url })),
        webhook_url: null,
        encoding: 'GSM-7',
        parts: 1,
        tags: [],
        errors: [],
        received_at: new Date().toISOString(),
      },
    });
  }
}

function safeJson(raw: string): Record<string, unknown> {
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return { __unparsable: raw };
  }
}

function formFields(raw: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : ([] as string[]).concat(prev as string | string[], v);
  }
  return out;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

// --- callbacks, as the vendors send them ---

/**
 * Posts a Twilio webhook (form-encoded) to `url`, with `X-Twilio-Signature` made from
 * `authToken` over `signedUrl` (the public URL Twilio would call; default `url`).
 */
export async function postTwilio(
  url: string,
  authToken: string,
  params: Record<string, string>,
  options: { signature?: string; signedUrl?: string } = {},
): Promise<Response> {
  const signature =
    options.signature ??
    twilio.getExpectedTwilioSignature(authToken, options.signedUrl ?? url, params);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
      'user-agent': 'TwilioProxy/1.1',
    },
    body: new URLSearchParams(params).toString(),
  });
}

/** A status callback as Twilio documents it (StatusCallback request parameters). */
export function twilioStatusParams(
  accountSid: string,
  sid: string,
  status: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    AccountSid: accountSid,
    ApiVersion: '2010-04-01',
    From: '+15005550001',
    MessageSid: sid,
    MessageStatus: status,
    SmsSid: sid,
    SmsStatus: status,
    To: '+15005550006',
    ...extra,
  };
}

/** An incoming message as Twilio posts it to a number's messaging webhook. */
export function twilioInboundParams(
  accountSid: string,
  from: string,
  to: string,
  body: string,
  mediaUrls: string[] = [],
): Record<string, string> {
  const sid = `${mediaUrls.length ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}`;
  const params: Record<string, string> = {
    AccountSid: accountSid,
    ApiVersion: '2010-04-01',
    Body: body,
    From: from,
    FromCountry: 'US',
    MessageSid: sid,
    NumMedia: String(mediaUrls.length),
    NumSegments: '1',
    SmsMessageSid: sid,
    SmsSid: sid,
    SmsStatus: 'received',
    To: to,
    ToCountry: 'US',
  };
  mediaUrls.forEach((url, i) => {
    params[`MediaUrl${i}`] = url;
    params[`MediaContentType${i}`] = 'image/jpeg';
  });
  return params;
}

/** A Telnyx signing key pair: the public half as Mission Control shows it (base64, 32 bytes). */
export function telnyxKeyPair(): { publicKeyBase64: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return { publicKeyBase64: Buffer.from(x, 'base64url').toString('base64'), privateKey };
}

/** Posts a Telnyx webhook signed as Telnyx signs (Ed25519 over `timestamp|body`). */
export async function postTelnyx(
  url: string,
  privateKey: KeyObject,
  event: unknown,
  options: { timestamp?: number; signature?: string } = {},
): Promise<Response> {
  const body = JSON.stringify(event);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature =
    options.signature ??
    sign(null, Buffer.from(`${timestamp}|${body}`), privateKey).toString('base64');
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'telnyx-signature-ed25519': signature,
      'telnyx-timestamp': timestamp,
      'user-agent': 'telnyx-webhooks',
    },
    body,
  });
}

/** A Telnyx `message.finalized` (or `message.sent`) event for an outbound message. */
export function telnyxStatusEvent(
  messageId: string,
  to: string,
  status: string,
  options: { eventType?: string; errors?: { code: string; title: string; detail?: string }[] } = {},
) {
  return {
    data: {
      event_type: options.eventType ?? 'message.finalized',
      id: randomUUID(),
      occurred_at: new Date().toISOString(),
      payload: {
        completed_at: new Date().toISOString(),
        direction: 'outbound',
        encoding: 'GSM-7',
        errors: options.errors ?? [],
        from: { carrier: 'Telnyx', line_type: 'Wireless', phone_number: '+15005550001' },
        id: messageId,
        media: [],
        messaging_profile_id: randomUUID(),
        parts: 1,
        received_at: new Date().toISOString(),
        record_type: 'message',
        sent_at: new Date().toISOString(),
        tags: [],
        text: 'hello',
        to: [{ carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless', phone_number: to, status }],
        type: 'SMS',
        valid_until: null,
        webhook_failover_url: null,
        webhook_url: null,
      },
      record_type: 'event',
    },
    meta: { attempt: 1, delivered_to: 'https://example.com/hooks' },
  };
}

/** A Telnyx `message.received` event. */
export function telnyxInboundEvent(
  from: string,
  to: string,
  text: string,
  mediaUrls: string[] = [],
) {
  return {
    data: {
      event_type: 'message.received',
      id: randomUUID(),
      occurred_at: new Date().toISOString(),
      payload: {
        cc: [],
        completed_at: null,
        direction: 'inbound',
        encoding: 'GSM-7',
        errors: [],
        from: { carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless', phone_number: from },
        id: randomUUID(),
        media: mediaUrls.map((url) => ({
          content_type: 'image/jpeg',
          hash_sha256: createHash('sha256').update(url).digest('hex').slice(0, 32),
          size: 1024,
          url,
        })),
        messaging_profile_id: randomUUID(),
        parts: 1,
        received_at: new Date().toISOString(),
        record_type: 'message',
        sent_at: null,
        tags: [],
        text,
        to: [
          {
            carrier: 'Telnyx',
            line_type: 'Wireless',
            phone_number: to,
            status: 'webhook_delivered',
          },
        ],
        type: mediaUrls.length ? 'MMS' : 'SMS',
        valid_until: null,
        webhook_failover_url: null,
        webhook_url: null,
      },
      record_type: 'event',
    },
    meta: { attempt: 1, delivered_to: 'https://example.com/hooks' },
  };
}
