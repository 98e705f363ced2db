import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { backoffDelay, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { Metrics } from '@switchboard/observability';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction } from '@switchboard/tenancy';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import type { CarrierError } from '../domain/carrier-errors';
import { chooseCarrierSender } from '../domain/carrier-sender';
import { UNSENT_STATUSES } from '../domain/message-status';
import { MediaProbe } from '../media/media-probe';
import { MessagesRepository } from '../messages/messages.repository';
import type {
  CarrierAccountSecrets,
  CarrierAdapter,
  CarrierKind,
  CarrierSendRequest,
} from './carrier';
import { CarrierAccountsService } from './carrier-accounts.service';
import { CarrierMessageWriter } from './carrier-message.writer';
import type { QueuedCarrierSend } from './carrier.record';
import { CarriersRepository } from './carriers.repository';
import { TelnyxAdapter } from './telnyx/telnyx.adapter';
import { TwilioAdapter } from './twilio/twilio.adapter';

type Prepared =
  | { send: false }
  | { send: true; secrets: CarrierAccountSecrets; request: CarrierSendRequest; from: string | null }
  | { send: false; error: CarrierError };

/**
 * Sends queued carrier messages (`carrier_dispatch_queue`). Replicas share the queue without a
 * leader, like the webhook worker: a batch is claimed with `FOR UPDATE SKIP LOCKED` by moving
 * its due time past the request timeout (a lease); each send is prepared in its tenant's
 * transaction (message still unsent and on this attempt, the account's credentials opened, the
 * sender number chosen), the carrier is called with no transaction open, and the answer is
 * written in the tenant's transaction: accepted → externalId + SENT; a transient failure
 * (HTTP 429/5xx, no answer) → retried with exponential backoff up to CARRIER_MAX_TRIES; any
 * other failure (or the last try) → routing's failover hook, else FAILED with the normalized
 * error. A crash between the request and its result sends again after the lease (at least
 * once: the carrier may then hold two copies, like any at-least-once sender).
 */
@Injectable()
export class CarrierDispatchWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CarrierDispatchWorker.name);
  private readonly poller: PeriodicJob;
  private readonly adapters: Record<CarrierKind, CarrierAdapter>;
  private readonly sends;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly carriers: CarriersRepository,
    private readonly accounts: CarrierAccountsService,
    private readonly messages: MessagesRepository,
    private readonly writer: CarrierMessageWriter,
    private readonly clock: Clock,
    twilio: TwilioAdapter,
    telnyx: TelnyxAdapter,
    metrics: Metrics,
    @Optional() @Inject(MediaProbe) private readonly mediaProbe: MediaProbe | null = null,
  ) {
    this.adapters = { TWILIO: twilio, TELNYX: telnyx };
    this.sends = metrics.counter(
      'messaging_carrier_sends_total',
      'Carrier send requests, by carrier and outcome.',
      ['carrier', 'outcome'],
    );
    this.poller = new PeriodicJob({
      name: 'carrier sends',
      intervalMs: config.CARRIER_POLL_INTERVAL_MS,
      retryDelayMs: (failures) => backoffDelay(failures, 200, 10_000),
      logger: nestJobLogger(CarrierDispatchWorker.name),
      run: async () => (await this.runDue()) >= config.CARRIER_BATCH_SIZE,
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.CARRIER_WORKER_ENABLED) this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** Claims and sends one batch of due sends; returns how many were claimed. */
  async runDue(limit = this.config.CARRIER_BATCH_SIZE): Promise<number> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + this.config.CARRIER_TIMEOUT_MS + 60_000);
    const claimed = await inGlobalTransaction(this.dataSource, (tx) =>
      this.carriers.claimDue(tx, limit, now, lease),
    );
    await Promise.all(claimed.map((job) => this.dispatch(job)));
    return claimed.length;
  }

  private async dispatch(job: QueuedCarrierSend): Promise<void> {
    try {
      await this.dispatchOne(job);
    } catch (error) {
      // Left in the queue: taken again when the lease ends. Never the number or the body.
      this.logger.warn({
        msg: 'carrier send failed; retrying later',
        message: job.messageId,
        error: (error as Error).message,
      });
    }
  }

  private async dispatchOne(job: QueuedCarrierSend): Promise<void> {
    const prepared = await inTenantTransaction(this.dataSource, job.tenantId, (tx) =>
      this.prepare(tx, job),
    );
    if (!prepared.send) {
      if ('error' in prepared) await this.fail(job, prepared.error);
      return;
    }
    const kind = prepared.secrets.kind;
    // An MMS's media are checked (HEAD, guarded) before the carrier: a file too large or
    // certainly unreachable fails the message with MEDIA_TOO_LARGE / MEDIA_UNREACHABLE.
    if (prepared.request.mediaUrls.length > 0 && this.mediaProbe) {
      const problem = await this.mediaProbe.check(prepared.request.mediaUrls);
      if (problem) {
        this.sends.inc({ carrier: kind, outcome: 'media-refused' });
        await this.fail(job, problem);
        return;
      }
    }
    const result = await this.adapters[kind].send(prepared.secrets, prepared.request);
    this.sends.inc({
      carrier: kind,
      outcome: result.ok ? 'accepted' : result.error.transient ? 'transient' : 'refused',
    });
    if (result.ok) {
      await inTenantTransaction(this.dataSource, job.tenantId, async (tx) => {
        const message = await this.messages.findById(tx, job.messageId, { forUpdate: true });
        const now = this.clock.now();
        await this.carriers.recordSend(tx, {
          orgId: job.tenantId,
          externalId: result.externalId,
          carrierAccountId: job.carrierAccountId,
          messageId: job.messageId,
          attempt: job.attempt,
          routeId: job.routeId,
          sentAt: now,
        });
        await this.carriers.dequeue(tx, job.messageId, job.attempt);
        // Canceled or expired meanwhile: the carrier has it now, and the truth wins (SENT may
        // follow CANCELED/EXPIRED in the status machine); anything else has moved on.
        if (
          !message ||
          !['QUEUED', 'SCHEDULED', 'DISPATCHED', 'CANCELED', 'EXPIRED'].includes(message.status)
        ) {
          return;
        }
        const after = await this.writer.accepted(tx, message, {
          routeId: job.routeId,
          externalId: result.externalId,
          from: prepared.from,
        });
        if (prepared.from && after.toNumber) {
          const account = await this.carriers.findAccount(tx, job.carrierAccountId);
          if (account?.stickySender) {
            await this.carriers.setStickySender(
              tx,
              job.tenantId,
              job.carrierAccountId,
              after.toNumber,
              prepared.from,
              now,
            );
          }
        }
      });
      return;
    }
    if (result.error.transient && job.tries + 1 < this.config.CARRIER_MAX_TRIES) {
      const delay = backoffDelay(job.tries + 1, 1_000, 5 * 60_000);
      await inTenantTransaction(this.dataSource, job.tenantId, (tx) =>
        this.carriers.retryLater(
          tx,
          job.messageId,
          job.attempt,
          new Date(this.clock.now().getTime() + delay),
        ),
      );
      return;
    }
    await this.fail(job, result.error);
  }

  private async prepare(tx: EntityManager, job: QueuedCarrierSend): Promise<Prepared> {
    const message = await this.messages.findById(tx, job.messageId);
    if (!message || !UNSENT_STATUSES.has(message.status) || message.attempt !== job.attempt) {
      await this.carriers.dequeue(tx, job.messageId, job.attempt);
      return { send: false };
    }
    const opened = await this.accounts.secretsOf(tx, job.carrierAccountId);
    if (!opened) {
      return {
        send: false,
        error: {
          code: 'CARRIER_ERROR',
          rawCode: null,
          rawText: 'The carrier account was removed',
          retryableOnAnotherRoute: true,
          transient: false,
        },
      };
    }
    const { account, secrets } = opened;
    const numbers = await this.carriers.listNumbers(tx, [account.id]);
    const sticky =
      account.stickySender && message.toNumber
        ? ((await this.carriers.stickySender(tx, account.id, message.toNumber)) ?? null)
        : null;
    const choice = chooseCarrierSender({
      requestedFrom: message.fromNumber,
      numbers,
      sticky,
      needsMms: message.mediaUrls.length > 0,
      hasSenderPool:
        secrets.kind === 'TWILIO' ? !!secrets.messagingServiceSid : !!secrets.messagingProfileId,
    });
    if ('problem' in choice) {
      return {
        send: false,
        error: {
          code: 'INVALID_SENDER',
          rawCode: null,
          rawText: choice.problem,
          retryableOnAnotherRoute: true,
          transient: false,
        },
      };
    }
    return {
      send: true,
      secrets,
      from: choice.from,
      request: {
        messageId: message.id,
        to: message.toNumber ?? '',
        from: choice.from,
        body: message.body ?? '',
        mediaUrls: message.mediaUrls,
        statusCallbackUrl: this.accounts.callbackUrls(account).status,
      },
    };
  }

  private async fail(job: QueuedCarrierSend, error: CarrierError): Promise<void> {
    await inTenantTransaction(this.dataSource, job.tenantId, async (tx) => {
      await this.carriers.dequeue(tx, job.messageId, job.attempt);
      const message = await this.messages.findById(tx, job.messageId, { forUpdate: true });
      if (!message || !UNSENT_STATUSES.has(message.status) || message.attempt !== job.attempt) {
        return;
      }
      await this.writer.failed(tx, message, { routeId: job.routeId, error });
    });
  }
}
