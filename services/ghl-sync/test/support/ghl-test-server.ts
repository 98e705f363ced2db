// A local GoHighLevel for the tests: the endpoints the provider uses, as GHL's OpenAPI specs
// define them (every request validated by GhlOpenApi: a problem is a 400 like GHL's, and is
// kept in `problems` so the test fails), with OAuth (codes, single-use refresh tokens, agency
// location tokens), contacts, conversations, message statuses, rate limits (429 +
// X-RateLimit-* headers) and a request log the tests assert on. It also signs webhooks with
// locally generated Ed25519 and RSA keys, as GHL does (over the raw body bytes).
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GhlOpenApi } from './ghl-openapi';

export interface FakeRequest {
  method: string;
  path: string;
  status: number;
  at: number;
  /** The location a Bearer token belongs to (or undefined: OAuth, company calls). */
  locationId?: string;
  version?: string;
  body: unknown;
}

interface Token {
  kind: 'Company' | 'Location';
  companyId: string;
  locationId?: string;
  expiresAt: number;
}

export interface FakeContact {
  id: string;
  locationId: string;
  phone?: string;
  dnd?: boolean;
  dndSettings?: Record<string, { status: string; message?: string; code?: string }>;
  tags?: string[];
}

export interface FakeMessage {
  id: string;
  locationId: string;
  conversationId?: string;
  contactId?: string;
  direction: 'outbound' | 'inbound';
  statuses: { status: string; error?: unknown }[];
  body?: unknown;
}

let counter = 0;
const ghlId = () => `${randomBytes(8).toString('hex')}${(++counter).toString(36)}`.slice(0, 20);

export class GhlTestServer {
  readonly requests: FakeRequest[] = [];
  readonly problems: string[] = [];
  readonly contacts = new Map<string, FakeContact>();
  readonly conversations = new Map<string, { id: string; locationId: string; contactId: string }>();
  readonly messages = new Map<string, FakeMessage>();
  /** Files copied by `POST /conversations/messages/upload`: GHL's URL → what was read. */
  readonly files = new Map<string, { from: string; contentType: string; data: Buffer }>();
  /** Refresh tokens GHL has seen used: a second use is refused (single-use). */
  readonly usedRefreshTokens = new Set<string>();
  readonly clientId = 'ghl-test-client';
  readonly clientSecret = 'ghl-test-secret';
  readonly appId = 'ghl-test-app';
  /** Seconds an issued access token lives. */
  tokenLifetimeSeconds = 86_399;
  /** Burst limit per location per interval (GHL: 100 / 10 s). */
  limit = { max: 100, intervalMs: 10_000 };
  /** Answer the next n requests to these paths with 429 (a rate-limit storm). */
  private storm = { remaining: 0, match: /.*/ };
  private readonly codes = new Map<
    string,
    { userType: 'Company' | 'Location'; companyId: string; locationIds: string[] }
  >();
  private readonly tokens = new Map<string, Token>();
  private readonly refreshTokens = new Map<string, Omit<Token, 'expiresAt'>>();
  private readonly ed25519: { publicKey: KeyObject; privateKey: KeyObject };
  private readonly rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly api = new GhlOpenApi();
  private server?: Server;
  url = '';

  /** `ed25519PrivateKeyPem`: a key of an earlier process (the e2e platform was started with its public half). */
  constructor(private readonly options: { ed25519PrivateKeyPem?: string; port?: number } = {}) {
    if (options.ed25519PrivateKeyPem) {
      const privateKey = createPrivateKey(options.ed25519PrivateKeyPem);
      this.ed25519 = { privateKey, publicKey: createPublicKey(privateKey) };
    } else {
      this.ed25519 = generateKeyPairSync('ed25519');
    }
  }

  /** The Ed25519 public key as GHL publishes it (base64 SPKI). */
  get publicKey(): string {
    return this.ed25519.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }

  get rsaPublicKeyPem(): string {
    return this.rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Environment for ghl-sync pointing at this server with its keys. */
  env(): Record<string, string> {
    return {
      GHL_API_BASE: this.url,
      GHL_CLIENT_ID: this.clientId,
      GHL_CLIENT_SECRET: this.clientSecret,
      GHL_APP_ID: this.appId,
      GHL_WEBHOOK_PUBLIC_KEY: this.publicKey,
      GHL_WEBHOOK_RSA_PUBLIC_KEY: this.rsaPublicKeyPem,
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** An authorization code GHL would hand the callback after the user chose locations. */
  authorizationCode(grant: {
    userType: 'Company' | 'Location';
    companyId: string;
    locationIds: string[];
  }): string {
    const code = `code-${ghlId()}`;
    this.codes.set(code, grant);
    return code;
  }

  /** Makes every access token issued so far expire now (the next call needs a refresh). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  /** The next `n` requests whose path matches get 429. */
  rateLimitStorm(n: number, match = /.*/): void {
    this.storm = { remaining: n, match };
  }

  /** A contact GHL already has. */
  addContact(contact: Omit<FakeContact, 'id'> & { id?: string }): FakeContact {
    const c = { id: contact.id ?? ghlId(), ...contact } as FakeContact;
    this.contacts.set(c.id, c);
    return c;
  }

  /** An outbound message a GHL user sent (what the Delivery URL webhook then names). */
  addOutboundMessage(locationId: string, contactId?: string): FakeMessage {
    const m: FakeMessage = {
      id: ghlId(),
      locationId,
      contactId,
      direction: 'outbound',
      statuses: [],
    };
    this.messages.set(m.id, m);
    return m;
  }

  /** Ed25519 over the raw bytes, base64 (`X-GHL-Signature`). */
  sign(raw: string | Buffer): string {
    return sign(null, Buffer.from(raw), this.ed25519.privateKey).toString('base64');
  }

  /** The legacy RSA-SHA256 (`X-WH-Signature`). */
  signRsa(raw: string | Buffer): string {
    return sign('sha256', Buffer.from(raw), this.rsa.privateKey).toString('base64');
  }

  /** Another key pair's signature (a forgery). */
  static foreignSignature(raw: string | Buffer): string {
    const other: KeyObject = generateKeyPairSync('ed25519').privateKey;
    return sign(null, Buffer.from(raw), other).toString('base64');
  }

  /** Requests of one location within each window of `intervalMs` (the most seen). */
  maxRequestsPerWindow(locationId: string, intervalMs: number): number {
    const times = this.requests
      .filter((r) => r.locationId === locationId)
      .map((r) => r.at)
      .sort((a, b) => a - b);
    let max = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end] - times[start] >= intervalMs) start++;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://ghl.test');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim();
    const body: unknown =
      contentType === 'application/json'
        ? safeJson(raw)
        : contentType === 'application/x-www-form-urlencoded'
          ? Object.fromEntries(new URLSearchParams(raw))
          : contentType === 'multipart/form-data'
            ? await multipartFields(req.headers['content-type'] ?? '', bytes)
            : undefined;
    const token = this.tokenOf(req);
    const entry: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      status: 0,
      at: Date.now(),
      locationId: token?.locationId,
      version: req.headers.version as string | undefined,
      body,
    };
    this.requests.push(entry);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const problems = this.api.validate({
      method: entry.method,
      path: entry.path,
      headers: req.headers,
      query: Object.fromEntries(url.searchParams),
      contentType,
      body,
    });
    if (problems.length) {
      this.problems.push(...problems.map((p) => `${entry.method} ${entry.path}: ${p}`));
      return send(400, { statusCode: 400, message: problems });
    }
    if (this.storm.remaining > 0 && this.storm.match.test(entry.path)) {
      this.storm.remaining--;
      return send(
        429,
        { statusCode: 429, message: 'Too Many Requests' },
        {
          'retry-after': '1',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-max': String(this.limit.max),
          'x-ratelimit-interval-milliseconds': String(this.limit.intervalMs),
        },
      );
    }
    if (token?.locationId) {
      const used = this.maxRequestsPerWindow(token.locationId, this.limit.intervalMs);
      if (used > this.limit.max) {
        this.problems.push(
          `rate limit exceeded for ${token.locationId}: ${used}/${this.limit.max}`,
        );
        return send(429, { statusCode: 429, message: 'Too Many Requests' });
      }
    }
    try {
      const [status, payload] =
        entry.method === 'POST' && entry.path === '/conversations/messages/upload'
          ? await this.upload(body as Record<string, unknown>, token)
          : this.route(entry, url, body as Record<string, unknown>, token);
      return send(status, payload, {
        'x-ratelimit-max': String(this.limit.max),
        'x-ratelimit-interval-milliseconds': String(this.limit.intervalMs),
        'x-ratelimit-remaining': String(
          Math.max(
            0,
            this.limit.max -
              (token?.locationId
                ? this.maxRequestsPerWindow(token.locationId, this.limit.intervalMs)
                : 0),
          ),
        ),
      });
    } catch (e) {
      return send(500, { message: (e as Error).message });
    }
  }

  private route(
    r: FakeRequest,
    url: URL,
    body: Record<string, unknown>,
    token: Token | undefined,
  ): [number, unknown] {
    const key = `${r.method} ${r.path.replace(/\/$/, '')}`;
    if (key === 'POST /oauth/token') return this.oauthToken(body);
    if (!token) return [401, { statusCode: 401, message: 'Invalid JWT' }];
    if (token.expiresAt <= Date.now()) return [401, { statusCode: 401, message: 'Invalid JWT' }];
    if (key === 'POST /oauth/locationToken') {
      if (token.kind !== 'Company') return [403, { message: 'Agency token required' }];
      const locationId = String(body.locationId);
      return [
        201,
        this.issue({ kind: 'Location', companyId: String(body.companyId), locationId }, false),
      ];
    }
    if (token.kind !== 'Location') return [403, { message: 'Location token required' }];
    let m: RegExpMatchArray | null;
    if ((m = key.match(/^PUT \/conversations\/messages\/([^/]+)\/status$/))) {
      const message = this.messages.get(m[1]);
      if (!message || message.locationId !== token.locationId)
        return [404, { message: 'Message not found' }];
      message.statuses.push({ status: String(body.status), error: body.error });
      return [200, { success: true }];
    }
    if (key === 'POST /contacts/upsert') {
      const existing = [...this.contacts.values()].find(
        (c) => c.locationId === body.locationId && c.phone && c.phone === body.phone,
      );
      const contact =
        existing ??
        this.addContact({ locationId: String(body.locationId), phone: body.phone as string });
      if (body.dndSettings)
        contact.dndSettings = {
          ...contact.dndSettings,
          ...(body.dndSettings as FakeContact['dndSettings']),
        };
      if (body.tags) contact.tags = body.tags as string[];
      return [existing ? 200 : 201, { new: !existing, contact: { ...contact }, traceId: ghlId() }];
    }
    if (key === 'GET /conversations/search') {
      const found = [...this.conversations.values()].filter(
        (c) =>
          c.locationId === url.searchParams.get('locationId') &&
          (!url.searchParams.get('contactId') || c.contactId === url.searchParams.get('contactId')),
      );
      return [
        200,
        {
          conversations: found.map((c) => ({
            id: c.id,
            contactId: c.contactId,
            locationId: c.locationId,
          })),
          total: found.length,
        },
      ];
    }
    if (key === 'POST /conversations') {
      const c = {
        id: ghlId(),
        locationId: String(body.locationId),
        contactId: String(body.contactId),
      };
      this.conversations.set(c.id, c);
      return [
        201,
        {
          success: true,
          conversation: { id: c.id, locationId: c.locationId, contactId: c.contactId },
        },
      ];
    }
    if (key === 'POST /conversations/messages/inbound') {
      const conversation = this.conversations.get(String(body.conversationId));
      if (!conversation) return [400, { message: 'Conversation not found' }];
      const message: FakeMessage = {
        id: ghlId(),
        locationId: conversation.locationId,
        conversationId: conversation.id,
        contactId: String(body.contactId),
        direction: 'inbound',
        statuses: [],
        body,
      };
      this.messages.set(message.id, message);
      return [
        200,
        { success: true, conversationId: conversation.id, messageId: message.id, message: 'ok' },
      ];
    }
    if ((m = key.match(/^PUT \/contacts\/([^/]+)$/))) {
      const contact = this.contacts.get(m[1]);
      if (!contact) return [404, { message: 'Contact not found' }];
      if (body.dndSettings)
        contact.dndSettings = {
          ...contact.dndSettings,
          ...(body.dndSettings as FakeContact['dndSettings']),
        };
      if (typeof body.dnd === 'boolean') contact.dnd = body.dnd;
      return [200, { succeded: true, contact: { ...contact } }];
    }
    if ((m = key.match(/^GET \/contacts\/([^/]+)$/))) {
      const contact = this.contacts.get(m[1]);
      return contact ? [200, { contact }] : [404, { message: 'Contact not found' }];
    }
    return [404, { message: `the local GHL has no ${key}` }];
  }

  private oauthToken(body: Record<string, unknown>): [number, unknown] {
    if (body.client_id !== this.clientId || body.client_secret !== this.clientSecret)
      return [401, { error: 'invalid_client' }];
    if (body.grant_type === 'authorization_code') {
      const grant = this.codes.get(String(body.code));
      if (!grant) return [400, { error: 'invalid_grant' }];
      this.codes.delete(String(body.code));
      const issued = this.issue(
        grant.userType === 'Company'
          ? { kind: 'Company', companyId: grant.companyId }
          : { kind: 'Location', companyId: grant.companyId, locationId: grant.locationIds[0] },
        true,
      );
      return [
        200,
        {
          ...issued,
          ...(grant.userType === 'Company' ? { approvedLocations: grant.locationIds } : {}),
        },
      ];
    }
    if (body.grant_type === 'refresh_token') {
      const refresh = String(body.refresh_token);
      const known = this.refreshTokens.get(refresh);
      if (!known || this.usedRefreshTokens.has(refresh))
        return [
          400,
          { error: 'invalid_grant', error_description: 'refresh token used or unknown' },
        ];
      this.usedRefreshTokens.add(refresh);
      return [200, this.issue(known, true)];
    }
    return [400, { error: 'unsupported_grant_type' }];
  }

  private issue(who: Omit<Token, 'expiresAt'>, withRefresh: boolean) {
    const access = `at-${randomBytes(12).toString('hex')}`;
    this.tokens.set(access, { ...who, expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000 });
    const refresh = withRefresh ? `rt-${randomBytes(12).toString('hex')}` : undefined;
    if (refresh) this.refreshTokens.set(refresh, who);
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: this.tokenLifetimeSeconds,
      ...(refresh ? { refresh_token: refresh } : {}),
      scope: 'conversations/message.write conversations.write contacts.write',
      userType: who.kind,
      companyId: who.companyId,
      ...(who.locationId ? { locationId: who.locationId } : {}),
      userId: 'ghl-user-1',
    };
  }

  /**
   * `POST /conversations/messages/upload`: GHL reads each of `attachmentUrls` and keeps a copy
   * under its own URL (`uploadedFiles`: name → URL); a type outside GHL's list is 415, a link
   * it cannot read 400.
   */
  private async upload(
    body: Record<string, unknown>,
    token: Token | undefined,
  ): Promise<[number, unknown]> {
    if (!token || token.expiresAt <= Date.now()) return [401, { message: 'Invalid JWT' }];
    const conversation = this.conversations.get(String(body.conversationId));
    if (!conversation || conversation.locationId !== token.locationId)
      return [400, { message: 'Conversation not found' }];
    const uploadedFiles: Record<string, string> = {};
    for (const link of body.attachmentUrls as string[]) {
      const answer = await fetch(link).catch(() => undefined);
      if (!answer?.ok) return [400, { message: `Could not read ${link}` }];
      const type = (answer.headers.get('content-type') ?? '').split(';')[0].trim();
      const extension = GHL_UPLOAD_TYPES[type];
      if (!extension) return [415, { message: `Unsupported file type ${type}` }];
      const name = `${ghlId()}.${extension}`;
      const ghlUrl = `https://storage.ghl.test/${conversation.locationId}/${name}`;
      this.files.set(ghlUrl, {
        from: link,
        contentType: type,
        data: Buffer.from(await answer.arrayBuffer()),
      });
      uploadedFiles[name] = ghlUrl;
    }
    return [200, { uploadedFiles }];
  }

  private tokenOf(req: IncomingMessage): Token | undefined {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) return undefined;
    return this.tokens.get(header.slice(7));
  }
}

/** The content types GHL's upload takes (its spec: JPG, PNG, MP4, MPEG, ZIP, RAR, PDF, DOC(X), TXT, MP3, WAV). */
const GHL_UPLOAD_TYPES: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'video/mp4': 'mp4',
  'video/mpeg': 'mpeg',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

/** A multipart/form-data body's fields (attachmentUrls always a list), as GHL would read them. */
async function multipartFields(contentType: string, bytes: Buffer): Promise<unknown> {
  try {
    const form = await new Request('http://ghl.test/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: bytes,
    }).formData();
    const fields: Record<string, unknown> = {};
    for (const name of new Set(form.keys())) {
      const values = form.getAll(name).map((v) => (typeof v === 'string' ? v : '(file)'));
      fields[name] = name === 'attachmentUrls' ? values : values[0];
    }
    return fields;
  } catch {
    return undefined;
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
