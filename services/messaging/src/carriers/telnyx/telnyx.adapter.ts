import { Inject, Injectable } from '@nestjs/common';
import { Telnyx } from 'telnyx';
import { MESSAGING_CONFIG, type MessagingConfig } from '../../config';
import { normalizeHttpFailure, type CarrierError } from '../../domain/carrier-errors';
import { telnyxStatus } from '../../domain/carrier-status';
import type {
  CarrierAccountSecrets,
  CarrierAdapter,
  CarrierCheckResult,
  CarrierSendRequest,
  CarrierSendResult,
} from '../carrier';

type TelnyxSecrets = Extract<CarrierAccountSecrets, { kind: 'TELNYX' }>;

const MAX_CACHED_CLIENTS = 500;

/**
 * Telnyx Messaging through the official `telnyx` client (v7, generated from Telnyx's OpenAPI):
 * `POST /v2/messages` (JSON `to`, `from` or `messaging_profile_id`, `text`, `media_urls`,
 * `webhook_url`). The client takes `baseURL` (TELNYX_API_BASE_URL), so tests point it at the
 * local Telnyx server. Its own retries are off (`maxRetries: 0`) for the same reason as
 * Twilio's: the dispatch worker owns retries and failover.
 */
@Injectable()
export class TelnyxAdapter implements CarrierAdapter {
  readonly kind = 'TELNYX' as const;
  private readonly clients = new Map<string, Telnyx>();

  constructor(@Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig) {}

  async send(
    account: CarrierAccountSecrets,
    request: CarrierSendRequest,
  ): Promise<CarrierSendResult> {
    if (account.kind !== 'TELNYX') throw new Error('TelnyxAdapter got a non-Telnyx account');
    try {
      const { data } = await this.clientFor(account).messages.send({
        to: request.to,
        ...(request.from ? { from: request.from } : {}),
        ...(account.messagingProfileId ? { messaging_profile_id: account.messagingProfileId } : {}),
        ...(request.body ? { text: request.body } : {}),
        ...(request.mediaUrls.length
          ? { media_urls: request.mediaUrls, type: 'MMS' as const }
          : {}),
        webhook_url: request.statusCallbackUrl,
      });
      if (!data?.id) {
        return {
          ok: false,
          error: normalizeHttpFailure('TELNYX', 502, null, 'Telnyx answered without a message id'),
        };
      }
      return {
        ok: true,
        externalId: data.id,
        status: telnyxStatus(data.to?.[0]?.status) ?? 'QUEUED',
      };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  /** `GET /v2/balance`: the API key works when it answers. */
  async check(account: CarrierAccountSecrets): Promise<CarrierCheckResult> {
    if (account.kind !== 'TELNYX') throw new Error('TelnyxAdapter got a non-Telnyx account');
    try {
      await this.clientFor(account).balance.retrieve();
      return { ok: true };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  private clientFor(account: TelnyxSecrets): Telnyx {
    let client = this.clients.get(account.apiKey);
    if (!client) {
      client = new Telnyx({
        apiKey: account.apiKey,
        baseURL: this.config.TELNYX_API_BASE_URL,
        timeout: this.config.CARRIER_TIMEOUT_MS,
        maxRetries: 0,
      });
      if (this.clients.size >= MAX_CACHED_CLIENTS) this.clients.clear();
      this.clients.set(account.apiKey, client);
    }
    return client;
  }
}

/** A failed call as our error: APIError has the HTTP status and Telnyx's `errors[0]`. */
function failureOf(error: unknown): CarrierError {
  const e = error as { status?: unknown; error?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : 0;
  const first = (e.error as { errors?: { code?: string; title?: string; detail?: string }[] })
    ?.errors?.[0];
  const text = status
    ? [first?.title, first?.detail].filter(Boolean).join(': ') || String(e.message ?? '')
    : 'no answer from the Telnyx API';
  return normalizeHttpFailure('TELNYX', status, first?.code ?? null, text);
}
