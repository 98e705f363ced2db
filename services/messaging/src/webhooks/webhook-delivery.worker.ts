import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  backoffDelay,
  nestJobLogger,
  OutboxWriter,
  ownerMailDraft,
  PeriodicJob,
} from '@switchboard/events';
import { Metrics } from '@switchboard/observability';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction } from '@switchboard/tenancy';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import {
  decideRetry,
  DEFAULT_RETRY_SCHEDULE,
  endpointHealthAfter,
  isDeliverySuccess,
} from '../domain/webhook-delivery-schedule';
import { WebhookHttpClient } from './webhook-http.client';
import type { QueuedDelivery } from './webhook.record';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

const HOUR = 3_600_000;

/**
 * Sends due webhook deliveries. Replicas share the queue without a leader: a batch is claimed
 * with `FOR UPDATE SKIP LOCKED` by moving its due time past the request timeout (a lease), the
 * requests go out with no transaction open, and each result is written in its tenant's
 * transaction: the attempt in the delivery log, the next try (exponential backoff with jitter
 * over WEBHOOK_RETRY_HOURS) or the end, and the endpoint's health (disabled after
 * WEBHOOK_DISABLE_AFTER_DAYS of failures, with an audit entry). At-least-once: a crash after a
 * request and before its result sends it again after the lease; receivers dedupe by webhook-id.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryWorker.name);
  private readonly poller: PeriodicJob;
  private readonly attempts;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly webhooks: WebhooksRepository,
    private readonly service: WebhooksService,
    private readonly http: WebhookHttpClient,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.attempts = metrics.counter(
      'messaging_webhook_attempts_total',
      'Webhook delivery attempts, by outcome.',
      ['outcome'],
    );
    this.poller = new PeriodicJob({
      name: 'webhook deliveries',
      intervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
      retryDelayMs: (failures) => backoffDelay(failures, 200, 10_000),
      logger: nestJobLogger(WebhookDeliveryWorker.name),
      run: async () => (await this.runDue()) >= config.WEBHOOK_BATCH_SIZE,
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.WEBHOOK_WORKER_ENABLED) this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** Claims and sends one batch of due deliveries; returns how many were claimed. */
  async runDue(limit = this.config.WEBHOOK_BATCH_SIZE): Promise<number> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + this.config.WEBHOOK_TIMEOUT_MS + 60_000);
    const claimed = await inGlobalTransaction(this.dataSource, (tx) =>
      this.webhooks.claimDue(tx, limit, now, lease),
    );
    await Promise.all(claimed.map((queued) => this.deliver(queued)));
    return claimed.length;
  }

  private async deliver(queued: QueuedDelivery): Promise<void> {
    try {
      await this.deliverOne(queued);
    } catch (error) {
      // Left in the queue: taken again when the lease ends.
      this.logger.warn({
        msg: 'webhook delivery failed; retrying later',
        delivery: queued.deliveryId,
        error: (error as Error).message,
      });
    }
  }

  private async deliverOne({ deliveryId, tenantId }: QueuedDelivery): Promise<void> {
    const loaded = await inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const delivery = await this.webhooks.findDelivery(tx, deliveryId);
      const endpoint = delivery && (await this.webhooks.findEndpoint(tx, delivery.endpointId));
      if (!delivery || delivery.status !== 'PENDING' || !endpoint || !endpoint.enabled) {
        if (delivery && endpoint && !endpoint.enabled)
          await this.webhooks.fail(tx, deliveryId, 'endpoint disabled');
        await this.webhooks.dequeue(tx, deliveryId);
        return undefined;
      }
      return { delivery, endpoint };
    });
    if (!loaded) return;
    const { delivery, endpoint } = loaded;
    const attemptedAt = this.clock.now();
    const headers = this.service.requestHeaders(
      endpoint,
      delivery.eventId,
      delivery.payload,
      attemptedAt,
    );
    const response = await this.http.post(endpoint.url, headers, delivery.payload);
    const succeeded = isDeliverySuccess(response.responseCode);
    const error = response.error ?? (succeeded ? null : `HTTP ${response.responseCode}`);
    this.attempts.inc({
      outcome: succeeded ? 'success' : response.responseCode ? 'http_error' : 'no_answer',
    });

    await inTenantTransaction(this.dataSource, tenantId, async (tx) => {
      const current = await this.webhooks.findEndpoint(tx, endpoint.id, true);
      await this.webhooks.recordAttempt(tx, {
        orgId: tenantId,
        deliveryId,
        attempt: delivery.attempts + 1,
        attemptedAt,
        // The signature is not kept: the log shows which headers went out.
        requestHeaders: { ...headers, 'webhook-signature': '(redacted)' },
        responseCode: response.responseCode,
        responseBody: response.responseBody,
        latencyMs: response.latencyMs,
        error,
      });
      const now = this.clock.now();
      let next: Date | null = null;
      if (!succeeded) {
        const decision = decideRetry(
          {
            attempt: delivery.attempts + 1,
            firstAttemptAt: delivery.firstAttemptAt ?? attemptedAt,
            now,
            random: Math.random(),
          },
          { ...DEFAULT_RETRY_SCHEDULE, retryWindowMs: this.config.WEBHOOK_RETRY_HOURS * HOUR },
        );
        if ('retryAt' in decision) next = decision.retryAt;
      }
      await this.webhooks.afterAttempt(tx, deliveryId, {
        status: succeeded ? 'SUCCEEDED' : next ? 'PENDING' : 'FAILED',
        attemptedAt,
        responseCode: response.responseCode,
        error,
        nextAttemptAt: next,
      });
      if (next) await this.webhooks.enqueue(tx, deliveryId, tenantId, next);
      else await this.webhooks.dequeue(tx, deliveryId);
      if (!current) return;
      const health = endpointHealthAfter(
        { succeeded, failingSince: current.failingSince, now },
        this.config.WEBHOOK_DISABLE_AFTER_DAYS * 24 * HOUR,
      );
      const disable = health.disable && current.enabled;
      await this.webhooks.setHealth(
        tx,
        current.id,
        {
          ...health,
          disable,
          reason: disable ? `failing since ${health.failingSince?.toISOString()}` : undefined,
        },
        now,
      );
      if (disable) {
        // The organization is told: its owners by mail (accounts sends it), and the audit log.
        await this.outbox.add(
          tx,
          ownerMailDraft({
            orgId: tenantId,
            template: 'WEBHOOK_ENDPOINT_DISABLED',
            variables: {
              endpoint_url: current.url,
              failing_since: health.failingSince!.toISOString(),
              disabled_at: now.toISOString(),
            },
          }),
        );
        await this.outbox.audit(tx, {
          actor: { kind: 'system', id: 'messaging:webhooks' },
          action: 'webhook_endpoint.disable',
          orgId: tenantId,
          resourceType: 'webhook_endpoint',
          resourceId: current.id,
          outcome: 'success',
          occurredAt: now,
          metadata: { reason: 'failing', failingSince: health.failingSince!.toISOString() },
        });
      }
    });
  }
}
