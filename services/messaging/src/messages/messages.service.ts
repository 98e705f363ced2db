import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommonErrorCode, isDomainException, type DomainException } from '@switchboard/errors';
import type { AuditRecord } from '@switchboard/events';
import { inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { Clock } from '@switchboard/service-kit';
import { isE164 } from '@switchboard/sms';
import { checkMetadata } from '../common/metadata';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { pageWindow, toPage, type Page, type PageRequest } from '../common/page';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { ConversationThreading } from '../conversations/conversation-threading';
import { isValidIdempotencyKey, onExistingKey, sendFingerprint } from '../domain/idempotency';
import type { Message } from '../domain/message';
import { messagingError } from '../domain/message-error';
import { checkPriority } from '../domain/message-priority';
import { UNSENT_STATUSES } from '../domain/message-status';
import {
  acceptOutbound,
  newOutboundMessage,
  rejectOutbound,
  type OutboundAcceptance,
} from '../domain/outbound-message';
import { normalizePhoneNumber } from '../domain/phone-number';
import {
  checkSimSlot,
  chooseRouting,
  sendTiming,
  type Checked,
  type Routing,
  type SendTiming,
} from '../domain/send-rules';
import { purposeOf } from '../domain/compliance-checks';
import {
  PRE_SEND_POLICIES,
  PreSendBatchDeclined,
  PreSendContended,
  runPreSendPolicies,
  runPreSendPoliciesBatch,
  takePreSendReservations,
  takePreSendReservationsAll,
  type BatchChainResult,
  type OutboundDraft,
  type PreSendContext,
  type PreSendPolicy,
} from '../pre-send/pre-send-policy';
import { ProjectionsRepository, type SendFacts } from '../projections/projections.repository';
import { messageRouteOf } from '../domain/router';
import { checkMediaUrls } from '../domain/media-urls';
import {
  RoutingService,
  routePreferenceOf,
  type RoutePlan,
  type RoutingInput,
} from '../routing/routing.service';
import { IdempotencyRepository } from './idempotency.repository';
import { MessageLifecycle } from './message-lifecycle';
import { cancelCommandDraft, dispatchCommandDraft } from './message-events';
import type { MessageRecord } from './message.record';
import {
  isTransactionConflict,
  MessagesRepository,
  type MessageFilter,
} from './messages.repository';
import type { SendMessageCommand, SendOptions } from './send-request';
import { SendRateLimitService } from './send-rate-limit.service';

export type { SendActor, SendMessageCommand, SendOptions } from './send-request';

/** The filter of the messages connection as given (numbers not normalized yet). */
export type MessageFilterInput = Omit<MessageFilter, 'to' | 'from'> & {
  to?: string | null;
  from?: string | null;
};

export const MESSAGE_CURSOR = 'message';

/** sendMessages: at most this many inputs per call. */
export const SEND_BATCH_MAX = 1000;
/** sendMessages: inputs per transaction (a chunk commits or retries as a whole). */
export const SEND_BATCH_CHUNK = 100;
/** sendMessages: how often a chunk is run again after a deadlock with concurrent sends. */
const SEND_BATCH_CHUNK_ATTEMPTS = 5;

/** How `accept` runs: the rate-limit token now or by the caller (a batch chunk); a second attempt. */
interface AcceptOptions {
  rateLimit?: 'take' | 'deferred';
  /** The first attempt lost its last-step take (PreSendContended). */
  contended?: boolean;
  /** The organization's send facts, read once for a batch chunk's transaction. */
  facts?: SendFacts;
}

/** One input's outcome in a batch: its message, or its typed error. */
export type SendOutcome =
  { ok: true; message: MessageRecord } | { ok: false; error: DomainException };

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
    private readonly rateLimit: SendRateLimitService,
    private readonly clock: Clock,
    private readonly router: RoutingService,
  ) {}

  /**
   * Accepts an outbound message: validates it (nothing is stored when it is invalid, unless
   * `onInvalid: 'reject'`), stores it QUEUED (or SCHEDULED — asked for, or held by quiet
   * hours — or REJECTED by a pre-send policy) together with its dispatch command, lifecycle
   * events and timers in one transaction, and returns it. With an idempotency key, a retry
   * returns the first request's message. A new message counts against the organization's send
   * rate limit (RATE_LIMITED past it: nothing is stored). The GraphQL mutation and the
   * messaging.send.v1 consumer both come here.
   */
  async send(
    orgId: string,
    command: SendMessageCommand,
    options: SendOptions = {},
  ): Promise<MessageRecord> {
    const now = this.clock.now();
    const run = async (tx: EntityManager, contended: boolean) => {
      if (options.onInvalid !== 'reject')
        return (await this.accept(tx, orgId, command, now, { contended })).record;
      try {
        return (await this.accept(tx, orgId, command, now, { contended })).record;
      } catch (error) {
        if (!isInvalidRequest(error)) throw error;
        return this.rejectInvalid(tx, orgId, command, error, now);
      }
    };
    // A lost last-step take (the quota, see PreSendPolicy.take) runs the send again, contended.
    // In the caller's transaction, the first attempt runs under a savepoint for that.
    const attempt = (contended: boolean): Promise<MessageRecord> => {
      const tx = options.tx;
      if (!tx) return inTenantTransaction(this.dataSource, orgId, (t) => run(t, contended));
      return contended ? run(tx, true) : this.messages.inSavepoint(tx, () => run(tx, false));
    };
    try {
      return await attempt(false);
    } catch (error) {
      if (!(error instanceof PreSendContended)) throw error;
      return attempt(true);
    }
  }

  /**
   * The batch form of `send` (GraphQL `sendMessages`): each command is sent as `send` sends it —
   * the same validation, policies, idempotency and rate limit — and gets its own outcome, its
   * message or its typed error; one bad command does not fail the others. Commands are sent in
   * key order (inKeyOrder), SEND_BATCH_CHUNK to a transaction, each under a savepoint; a chunk
   * takes its new messages' rate-limit tokens at once, at its end — when they are not there,
   * every command of the chunk gets RATE_LIMITED and nothing of it is stored. A chunk that still
   * loses a deadlock against concurrent sends runs again whole: nothing of it was stored, and the
   * keys give each command one message.
   */
  async sendBatch(orgId: string, commands: SendMessageCommand[]): Promise<SendOutcome[]> {
    if (commands.length === 0 || commands.length > SEND_BATCH_MAX) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_BATCH_SIZE,
        `Send 1 to ${SEND_BATCH_MAX} messages per call`,
        { details: { max: SEND_BATCH_MAX } },
      );
    }
    const outcomes: SendOutcome[] = [];
    for (let start = 0; start < commands.length; start += SEND_BATCH_CHUNK) {
      outcomes.push(
        ...(await this.sendChunk(orgId, commands.slice(start, start + SEND_BATCH_CHUNK))),
      );
    }
    return outcomes;
  }

  private async sendChunk(orgId: string, commands: SendMessageCommand[]): Promise<SendOutcome[]> {
    let setBased = this.config.MESSAGE_SEND_BATCH_SET_BASED;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await inTenantTransaction(this.dataSource, orgId, async (tx) => {
          const now = this.clock.now();
          const outcomes: SendOutcome[] = new Array(commands.length);
          // Once for the chunk, not once an input: the organization does not change under it.
          const facts = await this.projections.findSendFacts(tx, orgId);
          let fresh = 0;
          let perInput = inKeyOrder(commands);
          if (setBased) {
            const fast = await this.sendSetBased(tx, orgId, commands, perInput, now, facts);
            for (const [index, outcome] of fast.outcomes) outcomes[index] = outcome;
            fresh += fast.fresh;
            perInput = perInput.filter((index) => !fast.outcomes.has(index));
          }
          for (const index of perInput) {
            const item = (contended: boolean) =>
              this.messages.inSavepoint(tx, () =>
                this.accept(tx, orgId, commands[index], now, {
                  rateLimit: 'deferred',
                  contended,
                  facts,
                }),
              );
            try {
              const accepted = await item(false).catch((error: unknown) => {
                if (error instanceof PreSendContended) return item(true);
                throw error;
              });
              if (accepted.fresh) fresh += 1;
              outcomes[index] = { ok: true, message: accepted.record };
            } catch (error) {
              if (!isDomainException(error)) throw error;
              outcomes[index] = { ok: false, error };
            }
          }
          // The chunk's tokens at once, last, like a single send's (see inKeyOrder).
          await this.rateLimit.take(orgId, tx, fresh);
          return outcomes;
        });
      } catch (error) {
        if (isDomainException(error) && error.code === CommonErrorCode.RATE_LIMITED) {
          return commands.map(() => ({ ok: false, error }));
        }
        // The chunk cannot be decided set-based (its quota): it runs again, input by input.
        if (error instanceof PreSendBatchDeclined && setBased) {
          setBased = false;
          attempt -= 1;
          continue;
        }
        if (attempt < SEND_BATCH_CHUNK_ATTEMPTS && isTransactionConflict(error)) {
          await sleep(Math.random() * 50 * attempt);
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * The set-based path of a batch chunk (issue 17 B1b): what `accept` does for each input, with
   * a constant number of statements for the chunk instead of ~9 an input — the policies' reads
   * once for all inputs (their `prepare` hooks), the decisions per input in memory (no
   * savepoint: nothing is written for an input until all are decided), then one claim of all
   * keys (one read of the holders of those taken), one INSERT of the messages, one of their
   * events and commands, one of their timers, and the quota taken once for the chunk. The
   * outcomes are `accept`'s, input by input in key order (a key twice in the chunk: the later
   * input replays the first or gets IDEMPOTENCY_KEY_REUSED, as it would one input at a time).
   * Returns the outcomes of the inputs it decided; the others (setBasedEligible) go the
   * per-input way in the same transaction. PreSendBatchDeclined: none of it may stand (the
   * caller runs the chunk again, per input).
   */
  private async sendSetBased(
    tx: EntityManager,
    orgId: string,
    commands: SendMessageCommand[],
    order: number[],
    now: Date,
    facts: SendFacts,
  ): Promise<{ outcomes: Map<number, SendOutcome>; fresh: number }> {
    const outcomes = new Map<number, SendOutcome>();
    const fail = (index: number, error: unknown) => {
      if (!isDomainException(error)) throw error;
      outcomes.set(index, { ok: false, error });
    };
    if (facts.hasRoutes) return { outcomes, fresh: 0 };
    const { organization, compliancePolicy } = facts;
    const shared: PreSendContext = {
      orgId,
      organization,
      defaultCountry: organization?.defaultCountry ?? this.config.DEFAULT_COUNTRY,
      tx,
      now,
      stage: 'send',
      contended: false,
      compliancePolicy,
      prepared: {},
    };
    // 1. What each input asks for, checked in memory (accept's order of checks).
    const asked: {
      index: number;
      command: SendMessageCommand;
      key: string | null;
      metadata: Record<string, string>;
      priority: number | null;
      requested: SendTiming;
      draft: OutboundDraft;
    }[] = [];
    for (const index of order) {
      const command = commands[index];
      if (!setBasedEligible(command)) continue;
      try {
        const key = checkIdempotencyKey(command.idempotencyKey ?? null);
        const metadata = checkMetadata(command.metadata);
        const priority = priorityOf(command);
        const requested = orThrow(sendTiming(command, now, this.timingRules()));
        const draft: OutboundDraft = {
          to: command.to,
          from: null,
          body: command.body ?? '',
          mediaUrls: orThrow(checkMediaUrls(command.mediaUrls)),
          purpose: purposeOf(command.purpose),
        };
        asked.push({ index, command, key, metadata, priority, requested, draft });
      } catch (error) {
        fail(index, error);
      }
    }
    // 2. The pre-send chain over all of them (each policy's reads once).
    const chains = await runPreSendPoliciesBatch(
      this.policies,
      asked.map((a) => a.draft),
      asked.map((a) => ({
        ...shared,
        sendAt: a.requested.scheduledAt ?? now,
        validUntil: a.requested.validUntil,
      })),
      shared,
    );
    // 3. Route (the implicit device pool: no reads) and fingerprint per input.
    const decided: {
      ask: (typeof asked)[number];
      chain: Exclude<BatchChainResult, { outcome: 'invalid' }>;
      routing: Routing;
      plan?: RoutePlan;
      id: string;
      fingerprint: string;
    }[] = [];
    for (const [i, ask] of asked.entries()) {
      const chain = chains[i];
      if (chain.outcome === 'invalid') {
        fail(ask.index, chain.error);
        continue;
      }
      try {
        const device = chooseRouting(
          { deviceId: null, simNumber: null, from: chain.draft.from },
          { device: undefined, simsOfSender: [] },
        );
        let routing: Routing;
        let plan: RoutePlan | undefined;
        if (chain.outcome === 'reject') routing = orThrow(device);
        else {
          plan = await this.router.plan(tx, routingInputOf(chain.draft, ask.command), device, now, {
            hasRoutes: false,
          });
          if (plan.outcome === 'invalid') routing = orThrow(plan.checked);
          else if (plan.outcome === 'route') {
            if (plan.route) throw new PreSendBatchDeclined('routing'); // not without routes
            routing = plan.routing;
          } else routing = device.ok ? device.value : { deviceId: null, simNumber: null };
        }
        const purpose = purposeOf(ask.command.purpose);
        const fingerprint = sendFingerprint({
          ...ask.command,
          ...chain.draft,
          metadata: ask.metadata,
          purpose,
        });
        decided.push({ ask, chain, routing, plan, id: randomUUID(), fingerprint });
      } catch (error) {
        if (error instanceof PreSendBatchDeclined) throw error;
        fail(ask.index, error);
      }
    }
    // 4. The keys: the first input with a key claims it; one read of the holders of those taken.
    const firstWithKey = new Map<string, (typeof decided)[number]>();
    for (const d of decided) {
      if (d.ask.key && !firstWithKey.has(d.ask.key)) firstWithKey.set(d.ask.key, d);
    }
    const claimed = await this.idempotency.claimAll(
      tx,
      orgId,
      [...firstWithKey.entries()].map(([key, d]) => ({
        key,
        fingerprint: d.fingerprint,
        messageId: d.id,
      })),
      new Date(now.getTime() + this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000),
    );
    const holders = await this.idempotency.holders(
      tx,
      orgId,
      [...firstWithKey.keys()].filter((key) => !claimed.has(key)),
    );
    // 5. The new messages, decided as accept decides them; replays answered from the holders.
    const created: { d: (typeof decided)[number]; decided: OutboundAcceptance }[] = [];
    const replays: { index: number; of: string }[] = [];
    for (const d of decided) {
      const key = d.ask.key;
      const first = key ? firstWithKey.get(key) : undefined;
      if (key && !(first === d && claimed.has(key))) {
        const holder =
          first && claimed.has(key)
            ? { fingerprint: first.fingerprint, messageId: first.id, message: undefined }
            : holders.get(key);
        if (!holder) throw new Error('idempotency key vanished while claimed');
        const outcome = onExistingKey(holder, d.fingerprint);
        if (outcome.outcome === 'conflict') {
          fail(d.ask.index, keyReused());
        } else if (first && claimed.has(key)) {
          replays.push({ index: d.ask.index, of: first.id });
        } else if (holder.message) {
          outcomes.set(d.ask.index, { ok: true, message: holder.message });
        } else {
          fail(d.ask.index, keyMessageGone());
        }
        continue;
      }
      const { ask, chain, routing, plan } = d;
      const timing = chain.draft.holdUntil
        ? {
            scheduledAt: chain.draft.holdUntil,
            validUntil: this.heldValidity(ask.command, chain.draft.holdUntil),
          }
        : ask.requested;
      const message = newOutboundMessage(
        {
          ...chain.draft,
          id: d.id,
          orgId,
          routing,
          timing,
          metadata: ask.metadata,
          purpose: purposeOf(ask.command.purpose),
          priority: ask.priority,
          campaignId: ask.command.campaignId ?? null,
          idempotencyKey: key,
          ghlMessageId: ask.command.ghlMessageId ?? null,
        },
        now,
      );
      created.push({
        d,
        decided:
          chain.outcome === 'reject'
            ? rejectOutbound(message, chain, now)
            : plan?.outcome === 'reject'
              ? rejectOutbound(message, plan, now)
              : acceptOutbound(message, null, now), // no device asked for: no conversation yet
      });
    }
    // 6. Written at once: rows, events and commands, timers.
    const records = await this.lifecycle.createMany(
      tx,
      created.map(({ d, decided: accepted }) => {
        const route = accepted.dispatch && d.plan?.outcome === 'route' ? d.plan : undefined;
        const message = route
          ? { ...accepted.message, route: messageRouteOf(route.kind) }
          : accepted.message;
        return {
          message,
          events: accepted.events,
          commands:
            accepted.dispatch && message.route === 'DEVICE'
              ? (after: MessageRecord) => [dispatchCommandDraft(after, now)]
              : undefined,
          timers: accepted.timers,
        };
      }),
    );
    const byId = new Map<string, MessageRecord>();
    records.forEach((record, i) => {
      byId.set(record.id, record);
      outcomes.set(created[i].d.ask.index, { ok: true, message: record });
    });
    for (const replay of replays) {
      outcomes.set(replay.index, { ok: true, message: byId.get(replay.of)! });
    }
    // 7. Last: the chunk's reservations (the quota) in one take.
    await takePreSendReservationsAll(
      this.policies,
      created.filter(({ d }) => d.chain.outcome === 'allow').map(({ d }) => d.chain.draft),
      shared,
    );
    return { outcomes, fresh: created.length };
  }

  private async accept(
    tx: EntityManager,
    orgId: string,
    request: SendMessageCommand,
    now: Date,
    { rateLimit = 'take', contended = false, facts }: AcceptOptions = {},
  ): Promise<{ record: MessageRecord; fresh: boolean }> {
    const key = checkIdempotencyKey(request.idempotencyKey ?? null);
    const metadata = checkMetadata(request.metadata);
    const priority = priorityOf(request);
    const command = await this.withReplyTo(tx, request);
    const requested = orThrow(sendTiming(command, now, this.timingRules()));
    const { chain, context, hasRoutes } = await this.preSend(
      tx,
      orgId,
      command,
      now,
      requested,
      contended,
      facts,
    );
    const routed = await this.route(tx, chain, command, now, hasRoutes);
    const id = randomUUID();
    const purpose = purposeOf(command.purpose);
    const fingerprint = sendFingerprint({ ...command, ...chain.draft, metadata, purpose });
    const replay = key && (await this.claimKey(tx, orgId, key, fingerprint, id, now));
    if (replay) return { record: replay, fresh: false };
    const timing = chain.draft.holdUntil
      ? {
          scheduledAt: chain.draft.holdUntil,
          validUntil: this.heldValidity(command, chain.draft.holdUntil),
        }
      : requested;
    // A message that goes now takes its route's daily cap here, just before it is written (one
    // conditional statement; a full route falls over to the next or DAILY_CAP_REACHED).
    const plan =
      chain.outcome !== 'reject' && routed.plan?.outcome === 'route' && !timing.scheduledAt
        ? await this.router.takeDailyCap(
            tx,
            routingInputOf(chain.draft, command),
            routed.plan,
            routed.device!,
            now,
          )
        : routed.plan;
    const routing =
      plan?.outcome === 'route' && plan !== routed.plan ? plan.routing : routed.routing;
    const message = newOutboundMessage(
      {
        ...chain.draft,
        id,
        orgId,
        routing,
        timing,
        metadata,
        purpose,
        priority,
        campaignId: command.campaignId ?? null,
        idempotencyKey: key,
        ghlMessageId: command.ghlMessageId ?? null,
      },
      now,
    );
    const decided =
      chain.outcome === 'reject'
        ? rejectOutbound(message, chain, now)
        : plan?.outcome === 'reject'
          ? rejectOutbound(message, plan, now)
          : acceptOutbound(message, (await this.thread(tx, message, routing)) ?? null, now);
    const record = await this.write(tx, decided, plan);
    const preference = routePreferenceOf(command);
    if (preference && record.status !== 'REJECTED') {
      await this.router.keepPreference(tx, record, preference);
    }
    // Last: the organization's quota row and limiter key stay locked only until the commit.
    if (chain.outcome === 'allow')
      await takePreSendReservations(this.policies, chain.draft, context);
    if (rateLimit === 'take') await this.rateLimit.take(orgId, tx);
    return { record, fresh: true };
  }

  /** A held message's validity: the one asked for, else the default counted from the hold. */
  private heldValidity(command: SendMessageCommand, holdUntil: Date): Date | null {
    if (command.validUntil) return command.validUntil;
    const seconds = this.config.MESSAGE_DEFAULT_VALIDITY_SECONDS;
    return seconds > 0 ? new Date(holdUntil.getTime() + seconds * 1000) : null;
  }

  /**
   * A reply goes back over the device and SIM the inbound message came in by, to its sender
   * unless `to` says otherwise; UNKNOWN_REPLY_TO when there is no such inbound message.
   */
  private async withReplyTo(
    tx: EntityManager,
    command: SendMessageCommand,
  ): Promise<SendMessageCommand> {
    if (!command.replyToMessageId) return command;
    const inbound = isUuid(command.replyToMessageId)
      ? await this.messages.findById(tx, command.replyToMessageId.toLowerCase())
      : undefined;
    if (!inbound || inbound.direction !== 'INBOUND') {
      throw new MessagingException(
        MessagingErrorCode.UNKNOWN_REPLY_TO,
        'replyToMessageId is not an inbound message of this organization',
      );
    }
    return {
      ...command,
      to: command.to || (inbound.fromNumber ?? ''),
      deviceId: inbound.deviceId ?? command.deviceId ?? null,
      simNumber: inbound.simNumber ?? command.simNumber ?? null,
    };
  }

  /**
   * The command path's answer to an invalid request: a REJECTED message with the error's code,
   * claimed under the idempotency key like any other, so a repeated command finds it.
   */
  private async rejectInvalid(
    tx: EntityManager,
    orgId: string,
    command: SendMessageCommand,
    error: MessagingException,
    now: Date,
  ): Promise<MessageRecord> {
    const key = command.idempotencyKey ?? null;
    const id = randomUUID();
    const draft = { to: command.to, from: command.from ?? null, body: command.body ?? '' };
    const purpose = purposeOf(command.purpose);
    const fingerprint = sendFingerprint({ ...command, ...draft, metadata: {}, purpose });
    const replay = key && (await this.claimKey(tx, orgId, key, fingerprint, id, now));
    if (replay) return replay;
    const message = newOutboundMessage(
      {
        ...draft,
        id,
        orgId,
        mediaUrls: [],
        routing: { deviceId: null, simNumber: null },
        timing: { scheduledAt: null, validUntil: null },
        metadata: {},
        purpose,
        campaignId: isUuid(command.campaignId) ? command.campaignId : null,
        idempotencyKey: key,
        ghlMessageId: command.ghlMessageId || null,
      },
      now,
    );
    const record = await this.write(
      tx,
      rejectOutbound(message, { code: error.code, reason: error.message }, now),
    );
    await this.rateLimit.take(orgId, tx);
    return record;
  }

  /** The conversation of a new message: known only when a device and SIM were asked for. */
  private thread(tx: EntityManager, message: Message, routing: Routing) {
    return this.threading.threadFor(tx, message, routing, { move: false, unread: false });
  }

  /** The pre-send chain, in the organization's country, at the time the message would go. */
  private async preSend(
    tx: EntityManager,
    orgId: string,
    command: SendMessageCommand,
    now: Date,
    timing: SendTiming,
    contended: boolean,
    facts?: SendFacts,
  ) {
    // A single send reads the quota projection with the organization; contended, the quota
    // policy reads it under the row's lock instead. A recipient given in E.164 (its normal form
    // does not depend on the organization's country) has its suppression state read there too.
    const { organization, hasRoutes, compliancePolicy, quota, suppression } =
      facts ??
      (await this.projections.findSendFacts(tx, orgId, {
        quota: !contended,
        suppressionOf: internationalNumber(command.to),
      }));
    const draft: OutboundDraft = {
      to: command.to,
      from: command.from ?? null,
      body: command.body ?? '',
      mediaUrls: orThrow(checkMediaUrls(command.mediaUrls)),
      purpose: purposeOf(command.purpose),
    };
    const context: PreSendContext = {
      orgId,
      organization,
      defaultCountry: organization?.defaultCountry ?? this.config.DEFAULT_COUNTRY,
      tx,
      now,
      sendAt: timing.scheduledAt ?? now,
      validUntil: timing.validUntil,
      stage: 'send',
      contended,
      compliancePolicy,
      quota,
      suppression,
    };
    return { chain: await runPreSendPolicies(this.policies, draft, context), context, hasRoutes };
  }

  /**
   * Claims the idempotency key for message `id`; the first request's message when the same
   * request came before (undefined when the key is ours now), IDEMPOTENCY_KEY_REUSED when another
   * request holds it.
   */
  private async claimKey(
    tx: EntityManager,
    orgId: string,
    key: string,
    fingerprint: string,
    id: string,
    now: Date,
  ): Promise<MessageRecord | undefined> {
    const claim = await this.idempotency.claim(tx, {
      orgId,
      key,
      fingerprint,
      messageId: id,
      expiresAt: new Date(now.getTime() + this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000),
    });
    if (claim.claimed) return undefined;
    const outcome = onExistingKey(claim.holder, fingerprint);
    if (outcome.outcome === 'conflict') throw keyReused();
    const first = await this.messages.findById(tx, outcome.messageId);
    if (!first) throw keyMessageGone();
    return first;
  }

  /** Loads what routing needs (the requested device, the SIMs of `from`) and asks the rule. */
  private async routing(
    tx: EntityManager,
    from: string | null,
    command: SendMessageCommand,
  ): Promise<Checked<Routing>> {
    const request = { deviceId: command.deviceId ?? null, simNumber: command.simNumber ?? null };
    const slot = checkSimSlot(request.simNumber);
    if (!slot.ok) return slot; // a bad slot is refused before anything is loaded
    const device = request.deviceId
      ? await this.projections.findDevice(tx, request.deviceId)
      : undefined;
    const simsOfSender = from ? await this.projections.findSimsByNumber(tx, from) : [];
    return chooseRouting({ ...request, from }, { device, simsOfSender });
  }

  /**
   * The device routing the request asks for, then (unless a policy rejected the message) the
   * route it takes: the router's choice (routing/), or its refusal, or the request's own
   * routing error.
   */
  private async route(
    tx: EntityManager,
    chain: { outcome: string; draft: OutboundDraft },
    command: SendMessageCommand,
    now: Date,
    hasRoutes: boolean,
  ): Promise<{ routing: Routing; plan?: RoutePlan; device?: Checked<Routing> }> {
    const device = await this.routing(tx, chain.draft.from, command);
    if (chain.outcome === 'reject') return { routing: orThrow(device) };
    const plan = await this.router.plan(tx, routingInputOf(chain.draft, command), device, now, {
      hasRoutes,
    });
    if (plan.outcome === 'invalid') return { routing: orThrow(plan.checked) };
    if (plan.outcome === 'route') return { routing: plan.routing, plan, device };
    return {
      routing: device.ok ? device.value : { deviceId: null, simNumber: null },
      plan,
      device,
    };
  }

  /**
   * Writes a new outbound message as decided: row, events, timers, and when it goes now, its
   * route's start (the device pool's dispatch command, or the carrier dispatch queue).
   */
  private async write(
    tx: EntityManager,
    decided: OutboundAcceptance,
    plan?: RoutePlan,
  ): Promise<MessageRecord> {
    const now = decided.message.createdAt;
    const route = decided.dispatch && plan?.outcome === 'route' ? plan : undefined;
    const message = route
      ? { ...decided.message, route: messageRouteOf(route.kind) }
      : decided.message;
    const record = await this.lifecycle.create(tx, message, decided.events, {
      commands:
        decided.dispatch && message.route === 'DEVICE'
          ? (after) => [dispatchCommandDraft(after, now)]
          : undefined,
      timers: decided.timers,
    });
    if (route) await this.router.start(tx, record, route, now);
    return record;
  }

  private timingRules() {
    return {
      maxScheduleDays: this.config.MESSAGE_MAX_SCHEDULE_DAYS,
      defaultValiditySeconds: this.config.MESSAGE_DEFAULT_VALIDITY_SECONDS,
    };
  }

  /** Cancels a message the phone has not sent yet; canceling twice is harmless. */
  async cancel(orgId: string, id: string, actor: AuditRecord['actor']): Promise<MessageRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      // Timers, then the row: the scheduler's order (a cancel at the message's due time waits).
      const record = await this.lifecycle.lockForChange(tx, id);
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
      await this.lifecycle.audit(tx, {
        actor,
        action: 'message.cancel',
        orgId,
        resourceType: 'message',
        resourceId: id,
        outcome: 'success',
        occurredAt: now,
        metadata: { status: record.status },
      });
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

  /**
   * Scheduler: a scheduled message's time has come. The policies that may have changed their
   * mind meanwhile run again: an opt-out (or DND, consent withdrawn) since then makes it REJECTED
   * with that reason; outside quiet hours it is held again until the window opens; otherwise it
   * goes to the fleet.
   */
  async dispatchScheduled(tx: EntityManager, id: string): Promise<void> {
    const record = await this.messages.findById(tx, id, { forUpdate: true });
    if (!record || record.status !== 'SCHEDULED' || record.attempt > 0) return;
    const now = this.clock.now();
    if (record.validUntil && record.validUntil <= now) return this.expire(tx, id);
    const check = await this.recheck(tx, record, now);
    if (check.outcome === 'reject') return this.rejectStored(tx, record, check, now);
    if (check.draft.holdUntil) {
      await this.lifecycle.change(
        tx,
        record,
        { scheduledAt: check.draft.holdUntil },
        [],
        undefined,
        now,
        [{ kind: 'dispatch', dueAt: check.draft.holdUntil }],
      );
      return;
    }
    // The route now (routes may have changed since it was accepted), its daily cap taken.
    const input = {
      to: record.toNumber ?? '',
      mediaUrls: record.mediaUrls,
      segments: record.segments,
      purpose: record.purpose ?? 'TRANSACTIONAL',
      preference: await this.router.preferenceOf(tx, record.id),
    };
    const requestedDevice = {
      ok: true as const,
      value: { deviceId: record.requestedDeviceId, simNumber: record.requestedSimNumber },
    };
    const planned = await this.router.plan(tx, input, requestedDevice, now);
    const plan =
      planned.outcome === 'route'
        ? await this.router.takeDailyCap(tx, input, planned, requestedDevice, now)
        : planned;
    if (plan.outcome === 'reject') return this.rejectStored(tx, record, plan, now);
    if (plan.outcome !== 'route') return; // not with a device routing given as valid
    const after = await this.lifecycle.change(
      tx,
      record,
      { attempt: 1, route: messageRouteOf(plan.kind) },
      [],
      plan.kind === 'DEVICE_POOL' ? (a) => [dispatchCommandDraft(a, now)] : undefined,
      now,
    );
    await this.router.start(tx, after, plan, now);
  }

  /** A stored, not yet dispatched message refused at its dispatch: REJECTED with the code. */
  private async rejectStored(
    tx: EntityManager,
    record: MessageRecord,
    rejection: { code: string; reason: string },
    now: Date,
  ): Promise<void> {
    await this.lifecycle.change(
      tx,
      record,
      {
        status: 'REJECTED',
        rejectedAt: now,
        error: { code: rejection.code, message: rejection.reason, rawCode: null, rawMessage: null },
      },
      [{ kind: 'REJECTED', at: now }],
      undefined,
      now,
    );
  }

  /** The policies marked `recheckAtDispatch`, on a stored message, now. */
  private async recheck(tx: EntityManager, record: MessageRecord, now: Date) {
    const organization = await this.projections.findOrganization(tx, record.orgId);
    return runPreSendPolicies(
      this.policies.filter((policy) => policy.recheckAtDispatch),
      {
        to: record.toNumber ?? '',
        from: record.fromNumber,
        body: record.body ?? '',
        mediaUrls: record.mediaUrls,
        purpose: purposeOf(record.purpose),
      },
      {
        orgId: record.orgId,
        organization,
        defaultCountry: organization?.defaultCountry ?? this.config.DEFAULT_COUNTRY,
        tx,
        now,
        sendAt: now,
        validUntil: record.validUntil,
        stage: 'dispatch',
      },
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
}

/**
 * The order a batch's commands are sent in: by idempotency key (those without one first). Every
 * transaction that claims several keys claims them in one order and takes the rate limit's row
 * after its claims, as a single send does, so concurrent batches and sends wait for each other
 * instead of deadlocking.
 */
function inKeyOrder(commands: SendMessageCommand[]): number[] {
  const keyOf = (i: number) => commands[i].idempotencyKey ?? '';
  return commands
    .map((_, i) => i)
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : a - b));
}

/**
 * A recipient already written in E.164 ("+" and digits only): what the number policy will make of
 * it whatever the organization's country, without parsing it here too (the compliance policies
 * use the state read for it only when the policy's result is the same number). Undefined else.
 */
function internationalNumber(to: string | undefined): string | undefined {
  return isE164(to) ? to : undefined;
}

/**
 * What the set-based path decides without reading anything per input: no reply (the inbound
 * message), no device, SIM or `from` (the device and SIM projections), no media (MMS) and no
 * sender route. The rest goes the per-input way.
 */
function setBasedEligible(command: SendMessageCommand): boolean {
  return (
    !command.replyToMessageId &&
    !command.deviceId &&
    command.simNumber == null &&
    !command.from &&
    !command.mediaUrls?.length &&
    !command.routeId
  );
}

function keyReused(): MessagingException {
  return new MessagingException(
    MessagingErrorCode.IDEMPOTENCY_KEY_REUSED,
    'This idempotency key was used for a request with other parameters',
  );
}

function keyMessageGone(): MessagingException {
  return new MessagingException(
    MessagingErrorCode.MESSAGE_NOT_FOUND,
    'The message of this idempotency key no longer exists',
  );
}

/** The idempotency key as given, or INVALID_IDEMPOTENCY_KEY. */
function checkIdempotencyKey(key: string | null): string | null {
  if (key !== null && !isValidIdempotencyKey(key)) {
    throw new MessagingException(
      MessagingErrorCode.INVALID_IDEMPOTENCY_KEY,
      'The idempotency key must be 1 to 255 visible ASCII characters',
    );
  }
  return key;
}

/** A request the command path stores as REJECTED: bad input other than an unusable key. */
function isInvalidRequest(error: unknown): error is MessagingException {
  return (
    error instanceof MessagingException &&
    error.kind === 'BAD_INPUT' &&
    error.code !== MessagingErrorCode.INVALID_IDEMPOTENCY_KEY
  );
}

/** The priority asked for, checked against what the purpose's senders may set (null: default). */
function priorityOf(command: SendMessageCommand): number | null {
  const purpose = purposeOf(command.purpose) === 'CAMPAIGN' ? 'CAMPAIGN' : 'TRANSACTIONAL';
  const checked = checkPriority(purpose, command.priority);
  if (!checked.ok) {
    throw new MessagingException(MessagingErrorCode.INVALID_PRIORITY, checked.reason);
  }
  return checked.priority;
}

/** A domain rule's answer, or its refusal as the typed error. */
function orThrow<T>(checked: Checked<T>): T {
  if (checked.ok) return checked.value;
  const { code, message, details } = checked.refusal;
  throw new MessagingException(MessagingErrorCode[code], message, details ? { details } : {});
}

function notFound(): MessagingException {
  return new MessagingException(MessagingErrorCode.MESSAGE_NOT_FOUND, 'No such message');
}

/** The router's view of a draft (what routes it may take). */
function routingInputOf(draft: OutboundDraft, command: SendMessageCommand): RoutingInput {
  return {
    preference: routePreferenceOf(command),
    request: { from: draft.from },
    to: draft.to,
    mediaUrls: draft.mediaUrls,
    segments: draft.segments ?? 1,
    purpose: draft.purpose ?? 'TRANSACTIONAL',
  };
}
