import { Inject, Injectable } from '@nestjs/common';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { GuardedHttpClient } from '../common/guarded-http';
import { parseAddressAllowList, type WebhookUrlProblem } from '../domain/webhook-address';

export { describeProblem } from '../common/guarded-http';

export interface WebhookResponse {
  responseCode: number | null;
  /** The first KiB of the answer. */
  responseBody: string | null;
  latencyMs: number;
  error: string | null;
}

const MAX_RESPONSE_BYTES = 1024;

/**
 * The network side of webhooks: DNS checks at registration and the POST of a delivery, through
 * messaging's guarded HTTP client (common/guarded-http.ts: the SSRF rules checked on the
 * address actually connected to, so DNS rebinding is refused too). Redirects are not followed.
 */
@Injectable()
export class WebhookHttpClient {
  private readonly http: GuardedHttpClient;

  constructor(@Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig) {
    this.http = new GuardedHttpClient(
      parseAddressAllowList(config.WEBHOOK_ALLOWED_ADDRESSES.split(',')),
    );
  }

  /** The SSRF problem of a host (resolved through DNS unless an IP literal), if any. */
  hostProblem(host: string): Promise<WebhookUrlProblem | undefined> {
    return this.http.hostProblem(host);
  }

  async post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse> {
    const answer = await this.http.request(url, {
      method: 'POST',
      headers,
      body,
      timeoutMs: this.config.WEBHOOK_TIMEOUT_MS,
      maxBytes: MAX_RESPONSE_BYTES,
      overflow: 'truncate',
    });
    return {
      responseCode: answer.status,
      responseBody: answer.error ? null : answer.body.toString('utf8'),
      latencyMs: answer.latencyMs,
      error: answer.error?.message ?? null,
    };
  }
}
