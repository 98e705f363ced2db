import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { inTenantTransaction } from '@switchboard/tenancy';
import { Clock } from '@switchboard/service-kit';
import { checkMetadata } from '../common/metadata';
import { pageWindow, toPage, type Page, type PageRequest } from '../common/page';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { ConversationThreading } from '../conversations/conversation-threading';
import {
  PRE_SEND_POLICIES,
  runPreSendPolicies,
  type PreSendPolicy,
} from '../pre-send/pre-send-policy';
import { ProjectionsRepository } from '../projections/projections.repository';
import { JobsRepository } from '../scheduler/jobs.repository';
import { isValidIdempotencyKey, onExistingKey, requestFingerprint } from './domain/idempotency';
import { messagingError } from './domain/message-error';
import { UNSENT_STATUSES } from './domain/message-status';
import { normalizePhoneNumber } from './domain/phone-number';
import { IdempotencyRepository } from './idempotency.repository';
import { MessageLifecycle, type LifecycleEvent } from './message-lifecycle';
import { cancelCommandDraft, dispatchCommandDraft } from './message-events';
import type { MessageRecord } from './message.record';
import { MessagingErrorCode, MessagingException } from './messages.exception';
import { MessagesRepository, type MessageFilter } from './messages.repository';

/** A send request, from GraphQL or (later) a Kafka command. */
export interface SendMessageCommand {
  to: string;
  body?: string | null;
  from?: string | null;
  deviceId?: string | null;
  simNumber?: number | null;
  validUntil?: Date | null;
  scheduledAt?: Date | null;
  idempotencyKey?: string | null;
  metadata?: Record<string, string> | null;
  campaignId?: string | null;
}

/** The filter of the messages connection as given (numbers not normalized yet). */
export type MessageFilterInput = Omit<MessageFilter, 'to' | 'from'> & {
  to?: string | null;
  from?: string | null;
};

const MAX_SIM_SLOT = 8;
/** A scheduledAt closer than this is sent at once. */
const SCHEDULE_SLACK_MS = 1000;

export const MESSAGE_CURSOR = 'message';

/** Sending, canceling, expiring and reading messages. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    @Inject(PRE_SEND_POLICIES) private readonly policies: PreSendPolicy[],
    private readonly messages: MessagesRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly projections: ProjectionsRepository,
    private readonly lifecycle: MessageLifecycle,
    private readonly threading: ConversationThreading,
    private readonly jobs: JobsRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Accepts an outbound message: validates it (nothing is stored when it is invalid), stores it
   * QUEUED (or SCHEDULED, or REJECTED by a pre-send policy) together with its dispatch command
   * and lifecycle events in one transaction, and returns it. With an idempotency key, a retry
   * returns the first request's message.
   */
  async send(orgId: string, command: SendMessageCommand): Promise<MessageRecord> {
    const now = this.clock.now();
    const key = command.idempotencyKey ?? null;
    if (key !== null && !isValidIdempotencyKey(key)) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_IDEMPOTENCY_KEY,
        'The idempotency key must be 1 to 255 visible ASCII characters',
      );
    }
    const metadata = checkMetadata(command.metadata);
    const timing = this.timing(command, now);

    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const organization = await this.projections.findOrganization(tx, orgId);
      const chain = await runPreSendPolicies(
        this.policies,
        {
          to: command.to,
          from: command.from ?? null,
          body: command.body ?? '',
          mediaUrls: [],
        },
        {
          orgId,
          organization,
          defaultCountry: organization?.defaultCountry ?? this.config.DEFAULT_COUNTRY,
          tx,
          now,
        },
      );
      const draft = chain.draft;
      const routing = await this.routing(tx, draft.from, command);

      const id = randomUUID();
      if (key !== null) {
        const fingerprint = requestFingerprint({
          to: draft.to,
          from: draft.from,
          body: draft.body,
          deviceId: command.deviceId ?? null,
          simNumber: command.simNumber ?? null,
          validUntil: command.validUntil ?? null,
          scheduledAt: command.scheduledAt ?? null,
          metadata,
          campaignId: command.campaignId ?? null,
        });
        await this.idempotency.sweepExpired(tx, orgId);
        const claim = await this.idempotency.claim(tx, {
          orgId,
          key,
          fingerprint,
          messageId: id,
          expiresAt: new Date(now.getTime() + this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000),
        });
        if (!claim.claimed) {
          const outcome = onExistingKey(claim.holder, fingerprint);
          if (outcome.outcome === 'conflict') {
            throw new MessagingException(
              MessagingErrorCode.IDEMPOTENCY_KEY_REUSED,
              'This idempotency key was used for a request with other parameters',
            );
          }
          const first = await this.messages.findById(tx, outcome.messageId);
          if (!first) {
            throw new MessagingException(
              MessagingErrorCode.MESSAGE_NOT_FOUND,
              'The message of this idempotency key no longer exists',
            );
          }
          return first;
        }
      }

      const base: MessageRecord = {
        id,
        orgId,
        direction: 'OUTBOUND',
        status: 'QUEUED',
        fromNumber: draft.from,
        toNumber: draft.to,
        body: draft.body,
        encoding: draft.encoding ?? 'GSM7',
        segments: draft.segments ?? 1,
        mediaUrls: draft.mediaUrls,
        route: null,
        deviceId: null,
        simNumber: null,
        requestedDeviceId: routing.deviceId,
        requestedSimNumber: routing.simNumber,
        conversationId: null,
        campaignId: command.campaignId ?? null,
        externalId: null,
        ghlMessageId: null,
        deviceMessageId: null,
        idempotencyKey: key,
        metadata,
        error: null,
        attempt: 0,
        excludedDeviceIds: [],
        scheduledAt: timing.scheduledAt,
        validUntil: timing.validUntil,
        eventSequence: 0,
        createdAt: now,
        createdMicros: String(now.getTime() * 1000),
        updatedAt: now,
        queuedAt: null,
        scheduledStatusAt: null,
        dispatchedAt: null,
        sentAt: null,
        deliveredAt: null,
        failedAt: null,
        rejectedAt: null,
        expiredAt: null,
        canceledAt: null,
        receivedAt: null,
      };

      if (chain.outcome === 'reject') {
        return this.lifecycle.create(
          tx,
          {
            ...base,
            status: 'REJECTED',
            rejectedAt: now,
            error: { code: chain.code, message: chain.reason, rawCode: null, rawMessage: null },
          },
          [{ kind: 'REJECTED', at: now }],
        );
      }

      const conversationId = await this.threading.threadFor(
        tx,
        base,
        { deviceId: routing.deviceId, simNumber: routing.simNumber },
        { move: false, unread: false },
      );
      const events: LifecycleEvent[] = [{ kind: 'QUEUED', at: now }];
      let record: MessageRecord;
      if (timing.scheduledAt) {
        events.push({ kind: 'SCHEDULED', at: now });
        record = await this.lifecycle.create(
          tx,
          {
            ...base,
            status: 'SCHEDULED',
            queuedAt: now,
            scheduledStatusAt: now,
            conversationId: conversationId ?? null,
          },
          events,
        );
        await this.jobs.schedule(tx, {
          tenantId: orgId,
          messageId: id,
          kind: 'dispatch',
          dueAt: timing.scheduledAt,
        });
      } else {
        record = await this.lifecycle.create(
          tx,
          {
            ...base,
            queuedAt: now,
            attempt: 1,
            route: 'DEVICE',
            conversationId: conversationId ?? null,
          },
          events,
          (after) => [dispatchCommandDraft(after, now)],
        );
      }
      if (timing.validUntil) {
        await this.jobs.schedule(tx, {
          tenantId: orgId,
          messageId: id,
          kind: 'expire',
          dueAt: timing.validUntil,
        });
      }
      return record;
    });
  }

  /** Cancels a message the phone has not sent yet; canceling twice is harmless. */
  async cancel(orgId: string, id: string): Promise<MessageRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const record = await this.messages.findById(tx, id, { forUpdate: true });
      if (!record) throw notFound();
      if (record.status === 'CANCELED') return record;
      if (!UNSENT_STATUSES.has(record.status)) {
        throw new MessagingException(
          MessagingErrorCode.MESSAGE_NOT_CANCELABLE,
          `A ${record.status} message can no longer be canceled`,
          { details: { status: record.status } },
        );
      }
      const now = this.clock.now();
      return this.lifecycle.change(
        tx,
        record,
        { status: 'CANCELED', canceledAt: now },
        [{ kind: 'CANCELED', at: now }],
        (after) => (after.attempt > 0 ? [cancelCommandDraft(after, 'canceled by user', now)] : []),
        now,
      );
    });
  }

  /** Scheduler: a scheduled message's time has come; hand it to the fleet. */
  async dispatchScheduled(tx: EntityManager, id: string): Promise<void> {
    const record = await this.messages.findById(tx, id, { forUpdate: true });
    if (!record || record.status !== 'SCHEDULED' || record.attempt > 0) return;
    const now = this.clock.now();
    if (record.validUntil && record.validUntil <= now) return this.expire(tx, id);
    await this.lifecycle.change(
      tx,
      record,
      { attempt: 1, route: 'DEVICE' },
      [],
      (after) => [dispatchCommandDraft(after, now)],
      now,
    );
  }

  /** Scheduler: the message's validity is over; if it was not sent, it expires. */
  async expire(tx: EntityManager, id: string): Promise<void> {
    const record = await this.messages.findById(tx, id, { forUpdate: true });
    if (!record || !UNSENT_STATUSES.has(record.status)) return;
    const now = this.clock.now();
    await this.lifecycle.change(
      tx,
      record,
      { status: 'EXPIRED', expiredAt: now, error: messagingError('EXPIRED') },
      [{ kind: 'EXPIRED', at: now }],
      (after) => (after.attempt > 0 ? [cancelCommandDraft(after, 'expired', now)] : []),
      now,
    );
  }

  async get(orgId: string, id: string): Promise<MessageRecord> {
    const record = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.messages.findById(tx, id),
    );
    if (!record) throw notFound();
    return record;
  }

  /** The organization's messages, newest first, as a keyset-paginated page. */
  async list(
    orgId: string,
    filter: MessageFilterInput,
    request: PageRequest,
  ): Promise<Page<MessageRecord>> {
    const window = pageWindow(MESSAGE_CURSOR, request);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const country = (await this.projections.findOrganization(tx, orgId))?.defaultCountry;
      const normalized: MessageFilter = {
        ...filter,
        to: this.filterNumber(filter.to, country, 'to'),
        from: this.filterNumber(filter.from, country, 'from'),
      };
      const rows =
        window.limit === 0
          ? []
          : await this.messages.page(tx, orgId, normalized, window.limit + 1, window.after);
      return toPage(MESSAGE_CURSOR, rows, window.limit, !!window.after, (m) => ({
        micros: m.createdMicros,
        id: m.id,
      }));
    });
  }

  private filterNumber(
    value: string | null | undefined,
    country: string | null | undefined,
    field: string,
  ): string | undefined {
    if (value == null || value === '') return undefined;
    const parsed = normalizePhoneNumber(value, country ?? this.config.DEFAULT_COUNTRY);
    // Inbound senders may be alphanumeric ("Google"): then the filter is taken as written.
    if (!parsed.ok) {
      if (/^[A-Za-z0-9 ]{1,11}$/.test(value) && /[A-Za-z]/.test(value)) return value;
      throw new MessagingException(
        MessagingErrorCode.INVALID_NUMBER,
        `filter "${field}" is not a valid phone number`,
      );
    }
    return parsed.e164;
  }

  /** scheduledAt / validUntil checks and defaults. */
  private timing(
    command: SendMessageCommand,
    now: Date,
  ): { scheduledAt: Date | null; validUntil: Date | null } {
    const invalidDate = (d: Date | null | undefined) => d != null && Number.isNaN(d.getTime());
    if (invalidDate(command.scheduledAt) || invalidDate(command.validUntil)) {
      throw new MessagingException(MessagingErrorCode.INVALID_SCHEDULE, 'Invalid date');
    }
    const scheduledAt =
      command.scheduledAt && command.scheduledAt.getTime() > now.getTime() + SCHEDULE_SLACK_MS
        ? command.scheduledAt
        : null;
    if (
      scheduledAt &&
      scheduledAt.getTime() > now.getTime() + this.config.MESSAGE_MAX_SCHEDULE_DAYS * 86_400_000
    ) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_SCHEDULE,
        `scheduledAt may be at most ${this.config.MESSAGE_MAX_SCHEDULE_DAYS} days ahead`,
      );
    }
    const sendAt = scheduledAt ?? now;
    if (command.validUntil) {
      if (command.validUntil <= sendAt) {
        throw new MessagingException(
          MessagingErrorCode.INVALID_VALIDITY,
          scheduledAt ? 'validUntil must be after scheduledAt' : 'validUntil must be in the future',
        );
      }
      return { scheduledAt, validUntil: command.validUntil };
    }
    const seconds = this.config.MESSAGE_DEFAULT_VALIDITY_SECONDS;
    return {
      scheduledAt,
      validUntil: seconds > 0 ? new Date(sendAt.getTime() + seconds * 1000) : null,
    };
  }

  /**
   * The device and SIM to ask the pool for: `deviceId` must be a device of the organization
   * (another organization's devices are invisible here: row-level security), `simNumber` one of
   * its SIMs, and `from` the number of one of the organization's SIMs.
   */
  private async routing(
    tx: EntityManager,
    from: string | null,
    command: SendMessageCommand,
  ): Promise<{ deviceId: string | null; simNumber: number | null }> {
    const sim = command.simNumber ?? null;
    if (sim !== null && (!Number.isInteger(sim) || sim < 1 || sim > MAX_SIM_SLOT)) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_SIM,
        `simNumber must be a SIM slot from 1 to ${MAX_SIM_SLOT}`,
      );
    }
    let deviceId = command.deviceId ?? null;
    if (deviceId !== null) {
      const device = await this.projections.findDevice(tx, deviceId);
      if (!device || device.removed) {
        throw new MessagingException(
          MessagingErrorCode.UNKNOWN_DEVICE,
          'No such device in this organization',
          { details: { deviceId } },
        );
      }
      if (sim !== null && device.sims.length > 0 && !device.sims.some((s) => s.slot === sim)) {
        throw new MessagingException(MessagingErrorCode.INVALID_SIM, 'The device has no such SIM', {
          details: { deviceId, simNumber: sim, slots: device.sims.map((s) => s.slot) },
        });
      }
    }
    if (from === null) return { deviceId, simNumber: sim };
    const sims = (await this.projections.findSimsByNumber(tx, from)).filter(
      (s) => (deviceId === null || s.deviceId === deviceId) && (sim === null || s.slot === sim),
    );
    if (sims.length === 0) {
      throw new MessagingException(
        MessagingErrorCode.UNKNOWN_SENDER,
        '"from" is not the number of a SIM of this organization',
      );
    }
    deviceId = sims[0].deviceId;
    return { deviceId, simNumber: sims[0].slot };
  }
}

function notFound(): MessagingException {
  return new MessagingException(MessagingErrorCode.MESSAGE_NOT_FOUND, 'No such message');
}
