import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { backoffDelay, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { Metrics } from '@switchboard/observability';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction } from '@switchboard/tenancy';
import { CarrierAccountsService } from '../carriers/carrier-accounts.service';
import { GuardedHttpClient } from '../common/guarded-http';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import {
  classifyFetch,
  contentTypeAllowed,
  redirectTarget,
  sendsCredentials,
  type MediaFetchError,
} from '../domain/inbound-media';
import { parseAddressAllowList } from '../domain/webhook-address';
import { MediaRepository, type QueuedMediaFetch } from './media.repository';
import { MediaService } from './media.service';

const MAX_REDIRECTS = 3;

type Fetched =
  | { kind: 'stored'; contentType: string; data: Buffer }
  | { kind: 'retry' | 'failed'; error: MediaFetchError; detail: string };

/**
 * Fetches inbound MMS media (`media_fetch_queue`) into `message_media`. Replicas share the
 * queue without a leader, like the carrier dispatch and webhook workers: a batch is claimed
 * with `FOR UPDATE SKIP LOCKED` by moving its due time past the request timeout (a lease); the
 * medium's URL (and, for the carrier's own media URLs, the account's credentials) is read in
 * its tenant's transaction, fetched with no transaction open through the guarded HTTP client
 * (SSRF rules after DNS, at most MEDIA_MAX_BYTES, MEDIA_TIMEOUT_MS, at most 3 redirects, each
 * checked again; credentials only to the carrier's API origin), and the result written in the
 * tenant's transaction: STORED with its bytes, retried with backoff (no answer, 408/429/5xx)
 * up to MEDIA_MAX_TRIES, or FAILED with why; the last of a message's media to settle writes
 * its MEDIA_STORED event (MediaService.settled). Never logs a URL (it may carry a token).
 */
@Injectable()
export class MediaFetchWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MediaFetchWorker.name);
  private readonly poller: PeriodicJob;
  private readonly http: GuardedHttpClient;
  private readonly fetches;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly media: MediaRepository,
    private readonly mediaService: MediaService,
    private readonly accounts: CarrierAccountsService,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.http = new GuardedHttpClient(
      parseAddressAllowList(config.MEDIA_ALLOWED_ADDRESSES.split(',')),
      config.MEDIA_EXTRA_CA,
    );
    this.fetches = metrics.counter(
      'messaging_media_fetches_total',
      'Inbound MMS media fetches, by outcome (stored, retry, or the error).',
      ['outcome'],
    );
    this.poller = new PeriodicJob({
      name: 'media fetches',
      intervalMs: config.MEDIA_POLL_INTERVAL_MS,
      retryDelayMs: (failures) => backoffDelay(failures, 200, 10_000),
      logger: nestJobLogger(MediaFetchWorker.name),
      run: async () => (await this.runDue()) >= config.MEDIA_BATCH_SIZE,
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.MEDIA_WORKER_ENABLED) this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** Claims and fetches one batch of due media; returns how many were claimed. */
  async runDue(limit = this.config.MEDIA_BATCH_SIZE): Promise<number> {
    const now = this.clock.now();
    const lease = new Date(
      now.getTime() + (MAX_REDIRECTS + 1) * this.config.MEDIA_TIMEOUT_MS + 60_000,
    );
    const claimed = await inGlobalTransaction(this.dataSource, (tx) =>
      this.media.claimDue(tx, limit, now, lease),
    );
    await Promise.all(claimed.map((job) => this.fetchSafely(job)));
    return claimed.length;
  }

  private async fetchSafely(job: QueuedMediaFetch): Promise<void> {
    try {
      await this.fetchOne(job);
    } catch (error) {
      // Left in the queue: taken again when the lease ends.
      this.logger.warn({
        msg: 'media fetch failed; retrying later',
        media: job.mediaId,
        error: (error as Error).message,
      });
    }
  }

  private async fetchOne(job: QueuedMediaFetch): Promise<void> {
    const prepared = await inTenantTransaction(this.dataSource, job.tenantId, async (tx) => {
      const medium = await this.media.find(tx, job.mediaId);
      if (!medium || medium.status !== 'PENDING') {
        await this.media.dequeue(tx, job.mediaId);
        return undefined;
      }
      let authorization: string | undefined;
      if (job.carrierAccountId && sendsCredentials(medium.url, this.config.TWILIO_API_BASE_URL)) {
        const opened = await this.accounts.secretsOf(tx, job.carrierAccountId);
        if (opened?.secrets.kind === 'TWILIO') {
          const { accountSid, authToken } = opened.secrets;
          authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
        }
      }
      return { url: medium.url, messageId: medium.messageId, authorization };
    });
    if (!prepared) return;
    const fetched = await this.fetch(prepared.url, prepared.authorization);
    this.fetches.inc({
      outcome:
        fetched.kind === 'stored' ? 'stored' : fetched.kind === 'retry' ? 'retry' : fetched.error,
    });
    await inTenantTransaction(this.dataSource, job.tenantId, async (tx) => {
      const now = this.clock.now();
      if (fetched.kind === 'retry' && job.tries + 1 < this.config.MEDIA_MAX_TRIES) {
        const delay = backoffDelay(job.tries + 1, 2_000, 10 * 60_000);
        await this.media.retryLater(tx, job.mediaId, new Date(now.getTime() + delay));
        return;
      }
      await this.mediaService.settled(tx, prepared.messageId, async () => {
        if (fetched.kind === 'stored') {
          await this.media.stored(tx, job.mediaId, fetched, now);
        } else {
          const why = `${fetched.error}: ${fetched.detail}`.slice(0, 500);
          await this.media.failed(tx, job.mediaId, why, now);
        }
        await this.media.dequeue(tx, job.mediaId);
      });
    });
  }

  /** GET through the guard, following up to 3 redirects (credentials never leave the origin). */
  private async fetch(url: string, authorization: string | undefined): Promise<Fetched> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const answer = await this.http.request(current, {
        method: 'GET',
        headers: {
          accept: '*/*',
          'user-agent': 'Switchboard-Media/1.0',
          ...(authorization && sendsCredentials(current, this.config.TWILIO_API_BASE_URL)
            ? { authorization }
            : {}),
        },
        timeoutMs: this.config.MEDIA_TIMEOUT_MS,
        maxBytes: this.config.MEDIA_MAX_BYTES,
        overflow: 'abort',
      });
      const location = answer.headers.location;
      const outcome = classifyFetch({ status: answer.status, location, error: answer.error });
      if (outcome.kind === 'redirect') {
        const next = redirectTarget(current, outcome.location);
        if (!next) return { kind: 'failed', error: 'HTTP_ERROR', detail: 'redirect refused' };
        current = next;
        continue;
      }
      if (outcome.kind !== 'stored') return outcome;
      const contentType = String(answer.headers['content-type'] ?? '');
      if (!contentTypeAllowed(this.config.MEDIA_CONTENT_TYPES, contentType)) {
        return {
          kind: 'failed',
          error: 'UNSUPPORTED_TYPE',
          detail: contentType.split(';')[0].slice(0, 100) || 'none',
        };
      }
      return {
        kind: 'stored',
        contentType: contentType.split(';')[0].trim().toLowerCase(),
        data: answer.body,
      };
    }
    return { kind: 'failed', error: 'TOO_MANY_REDIRECTS', detail: `more than ${MAX_REDIRECTS}` };
  }
}
