import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { MESSAGING_CONFIG, type MessagingConfig } from '../../config';
import { normalizeHttpFailure, type CarrierError } from '../../domain/carrier-errors';
import { twilioStatus } from '../../domain/carrier-status';
import type {
  CarrierAccountSecrets,
  CarrierAdapter,
  CarrierCheckResult,
  CarrierSendRequest,
  CarrierSendResult,
} from '../carrier';

type TwilioClient = ReturnType<typeof twilio>;
type TwilioSecrets = Extract<CarrierAccountSecrets, { kind: 'TWILIO' }>;

const MAX_CACHED_CLIENTS = 500;

/**
 * Twilio Programmable Messaging through the official `twilio` client:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded `To`, `From` or
 * `MessagingServiceSid`, `Body`, `MediaUrl`…, `StatusCallback`).
 *
 * The client has no base-URL option (`edge`/`region` only rewrite `*.twilio.com` host names),
 * but each API domain keeps its base URL in a public field read at request time, so
 * `client.api.baseUrl = TWILIO_API_BASE_URL` sends every Messages call there (tests: the local
 * Twilio server). Its own retries are off (`autoRetry: false`): the dispatch worker retries
 * transient failures with backoff and decides failover, and a retry hidden in the client
 * would double-count against the carrier's rate limit.
 */
@Injectable()
export class TwilioAdapter implements CarrierAdapter {
  readonly kind = 'TWILIO' as const;
  /** One client per account (and token: a changed token gets a new client). */
  private readonly clients = new Map<string, TwilioClient>();

  constructor(@Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig) {}

  async send(
    account: CarrierAccountSecrets,
    request: CarrierSendRequest,
  ): Promise<CarrierSendResult> {
    if (account.kind !== 'TWILIO') throw new Error('TwilioAdapter got a non-Twilio account');
    const client = this.clientFor(account);
    try {
      const sent = await client.messages.create({
        to: request.to,
        ...(request.from
          ? { from: request.from }
          : { messagingServiceSid: account.messagingServiceSid ?? undefined }),
        ...(request.body ? { body: request.body } : {}),
        ...(request.mediaUrls.length ? { mediaUrl: request.mediaUrls } : {}),
        statusCallback: request.statusCallbackUrl,
      });
      return { ok: true, externalId: sent.sid, status: twilioStatus(sent.status) ?? 'QUEUED' };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  /** `GET /2010-04-01/Accounts/{AccountSid}.json`: the credentials work when it answers. */
  async check(account: CarrierAccountSecrets): Promise<CarrierCheckResult> {
    if (account.kind !== 'TWILIO') throw new Error('TwilioAdapter got a non-Twilio account');
    try {
      await this.clientFor(account).api.v2010.accounts(account.accountSid).fetch();
      return { ok: true };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  private clientFor(account: TwilioSecrets): TwilioClient {
    const key = `${account.accountSid}:${account.authToken}`;
    let client = this.clients.get(key);
    if (!client) {
      client = twilio(account.accountSid, account.authToken, {
        autoRetry: false,
        timeout: this.config.CARRIER_TIMEOUT_MS,
        keepAlive: true,
      });
      client.api.baseUrl = this.config.TWILIO_API_BASE_URL;
      if (this.clients.size >= MAX_CACHED_CLIENTS) this.clients.clear();
      this.clients.set(key, client);
    }
    return client;
  }
}

/** A failed call as our error: RestException has Twilio's HTTP status and code; else no answer. */
function failureOf(error: unknown): CarrierError {
  const e = error as { status?: unknown; code?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : 0;
  // A connection error has a string `code` too (e.g. ECONNREFUSED): not Twilio's.
  const code = status && (typeof e.code === 'number' || typeof e.code === 'string') ? e.code : null;
  const text = status ? String(e.message ?? '') : 'no answer from the Twilio API';
  return normalizeHttpFailure('TWILIO', status, code, text);
}
