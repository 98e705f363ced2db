import { Inject, Injectable } from '@nestjs/common';
import { GuardedHttpClient } from '../common/guarded-http';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import type { CarrierError } from '../domain/carrier-errors';
import { outboundMediaProblem } from '../domain/outbound-media';
import { parseAddressAllowList } from '../domain/webhook-address';

/**
 * The HEAD check of an outbound MMS's media, called by the carrier dispatch worker right
 * before the carrier (no transaction is open there): through the guarded HTTP client (SSRF
 * rules after DNS), MEDIA_TIMEOUT_MS each, in parallel; the verdict is domain/outbound-media.ts.
 */
@Injectable()
export class MediaProbe {
  private readonly http: GuardedHttpClient;

  constructor(@Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig) {
    this.http = new GuardedHttpClient(
      parseAddressAllowList(config.MEDIA_ALLOWED_ADDRESSES.split(',')),
      config.MEDIA_EXTRA_CA,
    );
  }

  async check(urls: readonly string[]): Promise<CarrierError | undefined> {
    const answers = await Promise.all(
      urls.map(async (url) => {
        const answer = await this.http.request(url, {
          method: 'HEAD',
          headers: { 'user-agent': 'Switchboard-Media/1.0' },
          timeoutMs: this.config.MEDIA_TIMEOUT_MS,
          maxBytes: 0,
          overflow: 'truncate',
        });
        const length = Number(answer.headers['content-length']);
        return {
          status: answer.status,
          contentLength:
            answer.headers['content-length'] !== undefined && Number.isFinite(length)
              ? length
              : null,
          error: answer.error,
        };
      }),
    );
    return outboundMediaProblem(answers, this.config.MEDIA_MAX_BYTES);
  }
}
