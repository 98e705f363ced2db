import { createHmac, randomUUID } from 'node:crypto';
import { countSegments } from '@switchboard/sms';
import { openEventStream, type EventStreamHandle } from './sse-client';

/**
 * A phone running SMSGate, simulated: it speaks the device protocol the way the app does
 * (capcom6/android-sms-gateway, GatewayApi.kt) — registers with an enrollment token, keeps an
 * SSE connection, pulls `GET /message` when told to (and when the stream opens), "sends" each
 * message it is handed with a configurable delay and outcome, reports states with
 * `PATCH /message`, and posts inbound SMS to its webhook signed like the app does.
 *
 * Every message handed out is logged once (`handout`, with the time it arrived and its
 * segments), so tests can check pacing from the phone's side; each one the radio attempted once
 * more (`transmitted`: it became Sent or Failed), so they can count what recipients received.
 */

export const DEFAULT_APP_VERSION = '1.40.0';

export interface SimCardInfo {
  slotIndex: number;
  simNumber: number;
  phoneNumber?: string | null;
  carrierName?: string | null;
  iccid?: string | null;
}

export interface PhoneCredentials {
  apiUrl: string;
  deviceId: string;
  token: string;
  name: string;
  /**
   * Registered with a shared enrollment token: the organization must approve the phone
   * (GraphQL approveDevice) before it is handed messages.
   */
  pendingApproval?: boolean;
}

export interface OutcomeRatios {
  /** Share of messages that end Delivered. */
  delivered: number;
  /** Share that end Sent without a delivery report. */
  sent: number;
  /** Share that end Failed (with one of `errorCodes`). */
  failed: number;
}

export type AgentLogEntry = {
  ts: string;
  t: number;
  device: string;
  event:
    | 'enrolled'
    | 'connected'
    | 'disconnected'
    | 'handout'
    | 'state'
    | 'cancelled'
    | 'inbound'
    | 'error'
    | 'unauthorized'
    | 'pending-approval'
    | 'transmitted';
} & Record<string, unknown>;

export interface PhoneOptions {
  apiUrl: string;
  /** "<MANUFACTURER>/<PRODUCT>" as the app reports it. */
  name?: string;
  appVersion?: string;
  sims?: SimCardInfo[];
  /** Processed → Sent. */
  sendDelayMs?: number;
  /** Sent → Delivered. */
  deliveryDelayMs?: number;
  outcomes?: OutcomeRatios;
  /** Raw error texts a failure reports, as the app would (Android SmsManager results). */
  errorCodes?: string[];
  order?: 'lifo' | 'fifo';
  /** Wait before reconnecting a dropped SSE stream (the app: 5 s, then 30 s, then 60 s). */
  reconnectDelayMs?: number;
  /** Pull this often even without events (the app's WorkManager job: 15 min); 0: never. */
  pollIntervalMs?: number;
  log?: (entry: AgentLogEntry) => void;
  random?: () => number;
}

interface LocalMessage {
  id: string;
  phoneNumber: string;
  simNumber: number | null;
  text: string;
  states: Record<string, string>;
  state: 'Processed' | 'Sent' | 'Delivered' | 'Failed' | 'Cancelled';
  timers: NodeJS.Timeout[];
}

interface Webhook {
  id: string;
  url: string;
  event: string;
}

/** Gson's `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` (UTC: `Z`), as the app writes dates. */
export function gsonDate(date: Date = new Date()): string {
  return date.toISOString();
}

export class SimulatedPhone {
  credentials?: PhoneCredentials;
  readonly messages = new Map<string, LocalMessage>();
  readonly stats = { handedOut: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0, pulls: 0 };
  private stream?: EventStreamHandle;
  private running = false;
  private pulling?: Promise<void>;
  private pullAgain = false;
  private pollTimer?: NodeJS.Timeout;
  private signingKey?: string;
  private webhooks: Webhook[] = [];
  private readonly o: Required<Omit<PhoneOptions, 'log'>> & Pick<PhoneOptions, 'log'>;

  constructor(options: PhoneOptions, credentials?: PhoneCredentials) {
    this.o = {
      name: 'Google/sdk_gphone64_x86_64',
      appVersion: DEFAULT_APP_VERSION,
      sims: [{ slotIndex: 0, simNumber: 1, phoneNumber: '****0100', carrierName: 'Simulated' }],
      sendDelayMs: 200,
      deliveryDelayMs: 300,
      outcomes: { delivered: 1, sent: 0, failed: 0 },
      errorCodes: ['RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)'],
      order: 'fifo',
      reconnectDelayMs: 1000,
      pollIntervalMs: 0,
      random: Math.random,
      ...options,
      apiUrl: options.apiUrl.replace(/\/+$/, ''),
    };
    this.credentials = credentials;
  }

  /** Whether the organization has yet to approve this phone (as registration said). */
  get pendingApproval(): boolean {
    return this.credentials?.pendingApproval === true;
  }

  get deviceId(): string | undefined {
    return this.credentials?.deviceId;
  }

  get connected(): boolean {
    return this.stream?.open ?? false;
  }

  /** `POST /device` with the enrollment token, then `/webhooks` and `/settings`, as the app does. */
  async enroll(enrollmentToken: string): Promise<PhoneCredentials> {
    const response = await this.request('POST', '/device', {
      token: enrollmentToken,
      body: { name: this.o.name, pushToken: null, simCards: this.o.sims },
    });
    if (response.status !== 201) {
      throw new Error(`registration failed: ${response.status} ${await response.text()}`);
    }
    const body = (await response.json()) as { id: string; token: string; status?: string };
    this.credentials = {
      apiUrl: this.o.apiUrl,
      deviceId: body.id,
      token: body.token,
      name: this.o.name,
      ...(body.status === 'PENDING_APPROVAL' ? { pendingApproval: true } : {}),
    };
    this.log('enrolled', {});
    if (this.pendingApproval) this.log('pending-approval', {});
    await this.refreshWebhooksAndSettings();
    return this.credentials;
  }

  /** Connects the event stream and starts working; resolves once the stream is open. */
  async start(): Promise<void> {
    if (!this.credentials) throw new Error('enroll first');
    if (this.running) return;
    this.running = true;
    if (!this.signingKey) await this.refreshWebhooksAndSettings();
    await new Promise<void>((resolve) => {
      this.stream = openEventStream({
        url: `${this.o.apiUrl}/events`,
        headers: this.headers(this.credentials!.token),
        reconnectDelayMs: this.o.reconnectDelayMs,
        onOpen: () => {
          this.log('connected', {});
          resolve();
          void this.pull();
        },
        onEvent: (event, data) => this.onEvent(event, data),
        onClose: (status) => {
          this.log('disconnected', { status });
          if (status === 401) {
            this.log('unauthorized', {});
            void this.stop();
          }
        },
      });
    });
    if (this.o.pollIntervalMs > 0) {
      this.pollTimer = setInterval(() => void this.pull(), this.o.pollIntervalMs);
    }
  }

  /** Stops the stream and all pending work (a phone switched off: nothing more is reported). */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.pollTimer);
    this.stream?.close();
    this.stream = undefined;
    for (const message of this.messages.values()) message.timers.forEach(clearTimeout);
    await this.pulling?.catch(() => undefined);
  }

  /** `GET /message`: takes what the server hands out; serializes concurrent triggers. */
  pull(): Promise<void> {
    if (this.pulling) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      do {
        this.pullAgain = false;
        await this.pullOnce().catch((error: Error) => this.log('error', { error: error.message }));
      } while (this.pullAgain && this.running);
    })().finally(() => (this.pulling = undefined));
    return this.pulling;
  }

  /** An SMS "received" by this phone, posted to its `sms:received` webhook, signed. */
  async receive(from: string, text: string, options: { simNumber?: number } = {}) {
    if (!this.signingKey) await this.refreshWebhooksAndSettings();
    const hook = this.webhooks.find((w) => w.event === 'sms:received');
    if (!hook) throw new Error('the server gave no sms:received webhook');
    const messageId = randomUUID().replace(/-/g, '').slice(0, 21);
    const body = JSON.stringify({
      id: randomUUID().replace(/-/g, '').slice(0, 21),
      webhookId: hook.id,
      event: 'sms:received',
      deviceId: this.credentials!.deviceId,
      payload: {
        messageId,
        message: text,
        phoneNumber: from,
        sender: from,
        recipient: this.o.sims[0]?.phoneNumber ?? null,
        simNumber: options.simNumber ?? this.o.sims[0]?.simNumber ?? null,
        receivedAt: gsonDate(),
      },
    });
    const response = await this.postSigned(hook.url, body);
    this.log('inbound', { messageId, status: response.status });
    return { status: response.status, messageId };
  }

  /**
   * An MMS arrives: the app's `mms:received` (the network's notification: metadata only, no
   * content), posted to the server's `mms:received` webhook, signed like `sms:received`.
   */
  async receiveMms(
    from: string,
    mms: { subject?: string; size?: number; contentClass?: string } = {},
  ) {
    if (!this.signingKey) await this.refreshWebhooksAndSettings();
    // As the app: an event goes only to the webhooks registered for it.
    const hook = this.webhooks.find((w) => w.event === 'mms:received');
    if (!hook) throw new Error('the server gave no mms:received webhook');
    const messageId = randomUUID().replace(/-/g, '').slice(0, 21);
    const body = JSON.stringify({
      id: randomUUID().replace(/-/g, '').slice(0, 21),
      webhookId: hook.id,
      event: 'mms:received',
      deviceId: this.credentials!.deviceId,
      payload: {
        messageId,
        phoneNumber: from,
        sender: from,
        recipient: this.o.sims[0]?.phoneNumber ?? null,
        simNumber: this.o.sims[0]?.simNumber ?? null,
        transactionId: `T${messageId}`,
        subject: mms.subject ?? null,
        size: mms.size ?? 125_684,
        contentClass: mms.contentClass ?? 'IMAGE_BASIC',
        receivedAt: gsonDate(),
      },
    });
    const response = await this.postSigned(hook.url, body);
    this.log('inbound', { messageId, status: response.status });
    return { status: response.status, messageId };
  }

  /** Posts a body to a webhook URL with the app's X-Signature / X-Timestamp headers. */
  async postSigned(url: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
    const ts = String(timestamp);
    const signature = createHmac('sha256', Buffer.from(this.signingKey!, 'utf8'))
      .update(body + ts, 'utf8')
      .digest('hex');
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=UTF-8',
        'user-agent': this.userAgent,
        'x-signature': signature,
        'x-timestamp': ts,
      },
      body,
    });
  }

  private get userAgent(): string {
    return `me.capcom.smsgateway/${this.o.appVersion}`;
  }

  private async refreshWebhooksAndSettings(): Promise<void> {
    const token = this.credentials!.token;
    const hooks = await this.request('GET', '/webhooks', { token });
    if (hooks.ok) this.webhooks = (await hooks.json()) as Webhook[];
    const settings = await this.request('GET', '/settings', { token });
    if (settings.ok) {
      const body = (await settings.json()) as { webhooks?: { signing_key?: string } };
      this.signingKey = body.webhooks?.signing_key ?? this.signingKey;
    }
  }

  private onEvent(event: string | undefined, data: string): void {
    switch (event ?? 'MessageEnqueued') {
      case 'MessageEnqueued':
        void this.pull();
        break;
      case 'MessageCancelled': {
        const id = (JSON.parse(data || 'null') as { messageId?: string } | null)?.messageId;
        if (id) void this.cancelLocal(id);
        break;
      }
      case 'WebhooksUpdated':
      case 'SettingsUpdated':
        void this.refreshWebhooksAndSettings().catch(() => undefined);
        break;
    }
  }

  private async pullOnce(): Promise<void> {
    if (!this.running || !this.credentials) return;
    const response = await this.request('GET', `/message?order=${this.o.order}`, {
      token: this.credentials.token,
    });
    this.stats.pulls++;
    if (response.status === 401) {
      this.log('unauthorized', {});
      await this.stop();
      return;
    }
    if (!response.ok) throw new Error(`GET /message answered ${response.status}`);
    const list = (await response.json()) as {
      id: string;
      textMessage?: { text: string } | null;
      message?: string | null;
      phoneNumbers: string[];
      simNumber?: number | null;
      state?: string | null;
    }[];
    const receivedAt = Date.now();
    const toReport: LocalMessage[] = [];
    for (const item of list) {
      const known = this.messages.get(item.id);
      if (item.state === 'Cancelling') {
        await this.cancelLocal(item.id);
        continue;
      }
      if (known) {
        // The app re-reports the state of a message it already has.
        toReport.push(known);
        continue;
      }
      const text = item.textMessage?.text ?? item.message ?? '';
      const local: LocalMessage = {
        id: item.id,
        phoneNumber: item.phoneNumbers[0] ?? '',
        simNumber: item.simNumber ?? null,
        text,
        states: { Processed: gsonDate() },
        state: 'Processed',
        timers: [],
      };
      this.messages.set(item.id, local);
      this.stats.handedOut++;
      this.log('handout', {
        messageId: item.id,
        segments: countSegments(text),
        simNumber: local.simNumber,
        receivedAt,
      });
      toReport.push(local);
    }
    if (toReport.length > 0) await this.report(toReport);
    for (const message of toReport) if (message.timers.length === 0) this.schedule(message);
  }

  private schedule(message: LocalMessage): void {
    const roll = this.o.random();
    const { failed, sent } = this.o.outcomes;
    const outcome = roll < failed ? 'Failed' : roll < failed + sent ? 'Sent' : 'Delivered';
    message.timers.push(
      setTimeout(() => {
        if (!this.running || message.state !== 'Processed') return;
        if (outcome === 'Failed') {
          const codes = this.o.errorCodes;
          const error = codes[Math.floor(this.o.random() * codes.length)] ?? 'GENERIC_FAILURE';
          this.advance(message, 'Failed', error);
          return;
        }
        this.advance(message, 'Sent');
        if (outcome === 'Delivered') {
          message.timers.push(
            setTimeout(() => {
              if (this.running) this.advance(message, 'Delivered');
            }, this.o.deliveryDelayMs),
          );
        }
      }, this.o.sendDelayMs),
    );
  }

  private advance(message: LocalMessage, state: LocalMessage['state'], error?: string): void {
    message.state = state;
    message.states[state] = gsonDate();
    // The radio's attempt (what a recipient receives, or the network refused): logged once per
    // message, before the report that may not reach the server.
    if (state === 'Sent' || state === 'Failed') {
      this.log('transmitted', { messageId: message.id, state });
    }
    if (state === 'Sent') this.stats.sent++;
    if (state === 'Delivered') this.stats.delivered++;
    if (state === 'Failed') this.stats.failed++;
    void this.reportUntilAccepted(message, error);
  }

  /**
   * A state change is reported until the server takes it, as the app retries its own reports
   * (a server being restarted must not lose a Sent or Delivered).
   */
  private async reportUntilAccepted(message: LocalMessage, error?: string): Promise<void> {
    const state = message.state;
    while (this.running && message.state === state) {
      try {
        await this.report([message], error);
        return;
      } catch (e) {
        this.log('error', { error: (e as Error).message });
        await new Promise((r) => setTimeout(r, this.o.reconnectDelayMs));
      }
    }
  }

  private async cancelLocal(id: string): Promise<void> {
    const message = this.messages.get(id);
    if (!message || message.state !== 'Processed') return;
    message.timers.forEach(clearTimeout);
    message.state = 'Cancelled';
    message.states.Cancelled = gsonDate();
    this.stats.cancelled++;
    this.log('cancelled', { messageId: id });
    await this.report([message]);
  }

  /** `PATCH /message`, items shaped like the app's MessagePatchRequest. */
  private async report(messages: LocalMessage[], error?: string): Promise<void> {
    if (!this.credentials) return;
    const items = messages.map((message) => ({
      id: message.id,
      state: message.state,
      recipients: [
        {
          phoneNumber: message.phoneNumber,
          state: message.state,
          error: message.state === 'Failed' ? (error ?? null) : null,
        },
      ],
      states: { ...message.states },
    }));
    const response = await this.request('PATCH', '/message', {
      token: this.credentials.token,
      body: items,
    });
    if (response.status >= 500) throw new Error(`PATCH /message answered ${response.status}`);
    for (const message of messages) {
      this.log('state', { messageId: message.id, state: message.state, status: response.status });
    }
  }

  private headers(token?: string): Record<string, string> {
    return {
      'user-agent': this.userAgent,
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
  }

  private request(
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Response> {
    return fetch(`${this.o.apiUrl}${path}`, {
      method,
      headers: {
        ...this.headers(options.token),
        ...(options.body !== undefined
          ? { 'content-type': 'application/json; charset=UTF-8' }
          : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
  }

  private log(event: AgentLogEntry['event'], fields: Record<string, unknown>): void {
    const now = new Date();
    this.o.log?.({
      ts: now.toISOString(),
      t: now.getTime(),
      device: this.credentials?.deviceId ?? '(unregistered)',
      event,
      ...fields,
    });
  }
}
