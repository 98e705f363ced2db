import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CommonErrorCode } from '@switchboard/errors';
import { Clock } from '@switchboard/service-kit';
import { analyzeSms } from '@switchboard/sms';
import { inGlobalTransaction, inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { pageWindow, toPage, type Page, type PageRequest } from '../common/page';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import {
  campaignBudget,
  campaignBurst,
  campaignCounterOf,
  campaignMessageKey,
  campaignRoute,
  campaignTransition,
  estimatedSeconds,
  plannedRate,
  progressWebhookDue,
  recordRate,
  type CampaignAction,
  type CapacitySender,
  type PlannedRate,
} from '../domain/campaign';
import { renderTemplate } from '../domain/template';
import { ListsRepository } from '../lists/lists.repository';
import { MessagesService, type SendMessageCommand } from '../messages/messages.service';
import { RoutingService } from '../routing/routing.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { liveProgressSnapshot } from './campaign-progress';
import type { CampaignRecord } from './campaign.record';
import { CampaignsRepository } from './campaigns.repository';
import { checkPriority } from '../domain/message-priority';
import { estimateCampaignSends } from '../domain/campaign-estimate';
import { countryOfNumber } from '../domain/phone-number';

export const CAMPAIGN_CURSOR = 'campaign';
/** previewCampaign renders at most this many recipients to estimate the campaign's segments. */
export const ESTIMATE_SAMPLE = 1000;
/** Recipients sent per runner step at most (one sendBatch call). */
export const CAMPAIGN_STEP_MAX = 1000;
const TEMPLATE_MAX_LENGTH = 1600;
const NAME_MAX_LENGTH = 200;
/** A claimed campaign is another replica's again after this (a runner that died). */
const RUN_LEASE_MS = 60_000;

export interface CampaignInput {
  name: string;
  listId: string;
  template: string;
  ratePerMinute: number;
  /** Its messages' queue priority (0 to 49); absent: the campaign default. */
  priority?: number | null;
  startAt?: Date | null;
  endAt?: Date | null;
  /** The sender (route preference): README "Senders". Absent: the organization's routes decide. */
  sender?: CampaignSenderInput | null;
}

export interface CampaignSenderInput {
  routeId: string;
  from?: string | null;
  fallback?: boolean | null;
}

export interface CampaignPreview {
  campaignId: string;
  recipients: number;
  /** SMS segments the campaign will send (estimated from up to ESTIMATE_SAMPLE recipients). */
  estimatedSegments: number;
  estimatedMms: number;
  /** The recipients' most common country (billing's price book key). */
  destinationCountry: string | null;
  /** Members the pre-send policies would refuse now: opted out or DND, or without consent when the organization requires it. */
  suppressed: number;
  recipientsAfterSuppression: number;
  estimatedSeconds: number;
  /** The route its messages take first now (null: the implicit device pool, or none left). */
  routeId: string | null;
  routeKind: 'DEVICE_POOL' | 'TWILIO' | 'TELNYX' | null;
  /** The rate the duration is estimated at: ratePerMinute capped by that route's capacity. */
  plannedRatePerMinute: number;
  plannedRateLimitedBy: PlannedRate['limitedBy'];
  samples: Array<{
    contactId: string;
    text: string;
    segments: number;
    encoding: string;
    missing: string[];
  }>;
}

/**
 * Campaigns: a static list or segment, a template, a rate and a schedule. The runner fans out
 * through `MessagesService.sendBatch` — the same send path, policies (opt-out, consent, quiet
 * hours), idempotency and rate limit as `sendMessages` — one batch per step, paced by the
 * campaign's token bucket, with a key per campaign and contact so a restart never sends twice.
 */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly campaigns: CampaignsRepository,
    private readonly lists: ListsRepository,
    private readonly messages: MessagesService,
    private readonly routing: RoutingService,
    private readonly webhooks: WebhooksService,
    private readonly clock: Clock,
  ) {}

  async create(orgId: string, input: CampaignInput): Promise<CampaignRecord> {
    const name = input.name.trim();
    const invalid = (why: string) =>
      new MessagingException(MessagingErrorCode.INVALID_CAMPAIGN, why);
    if (!name || name.length > NAME_MAX_LENGTH)
      throw invalid(`name: 1 to ${NAME_MAX_LENGTH} characters`);
    if (!input.template.trim() || input.template.length > TEMPLATE_MAX_LENGTH) {
      throw invalid(`template: 1 to ${TEMPLATE_MAX_LENGTH} characters`);
    }
    const max = this.config.CAMPAIGN_MAX_RATE_PER_MINUTE;
    if (
      !Number.isInteger(input.ratePerMinute) ||
      input.ratePerMinute < 1 ||
      input.ratePerMinute > max
    ) {
      throw invalid(`ratePerMinute: 1 to ${max}`);
    }
    if (input.startAt && input.endAt && input.endAt <= input.startAt) {
      throw invalid('endAt must be after startAt');
    }
    const priority = checkPriority('CAMPAIGN', input.priority);
    if (!priority.ok) {
      throw new MessagingException(MessagingErrorCode.INVALID_PRIORITY, priority.reason);
    }
    const sender = input.sender
      ? {
          routeId: input.sender.routeId.trim().toLowerCase(),
          from: input.sender.from?.trim() || null,
          fallback: input.sender.fallback ?? false,
        }
      : null;
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (!(await this.lists.find(tx, input.listId))) {
        throw new MessagingException(MessagingErrorCode.CONTACT_LIST_NOT_FOUND, 'No such list');
      }
      if (sender) {
        const refused = await this.senderRefusal(tx, sender);
        if (refused) throw refused;
      }
      return this.campaigns.insert(
        tx,
        {
          id: randomUUID(),
          orgId,
          name,
          listId: input.listId,
          template: input.template,
          ratePerMinute: input.ratePerMinute,
          priority: priority.priority,
          startAt: input.startAt ?? null,
          endAt: input.endAt ?? null,
          senderRouteId: sender?.routeId ?? null,
          senderFrom: sender?.from ?? null,
          senderFallback: sender?.fallback ?? false,
        },
        this.clock.now(),
      );
    });
  }

  /** start, pause, resume, cancel: the status machine decides, the runner's queue follows. */
  async act(orgId: string, id: string, action: CampaignAction): Promise<CampaignRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const campaign = await this.campaigns.find(tx, id, true);
      if (!campaign) throw notFound();
      const now = this.clock.now();
      const startsLater = !!campaign.startAt && campaign.startAt > now;
      const next = campaignTransition(campaign.status, action, startsLater);
      if (!next) {
        throw new MessagingException(
          MessagingErrorCode.CAMPAIGN_STATE_CONFLICT,
          `A ${campaign.status} campaign cannot ${action}`,
          { details: { status: campaign.status } },
        );
      }
      // Starting or resuming a campaign whose sender cannot send would only fail every message.
      if ((next === 'RUNNING' || next === 'SCHEDULED') && campaign.senderRouteId) {
        const refused = await this.senderRefusal(tx, senderOf(campaign));
        if (refused) throw refused;
      }
      const list = action === 'start' ? await this.lists.find(tx, campaign.listId) : undefined;
      await this.campaigns.setStatus(tx, id, next, now, {
        recipientsTotal: list?.memberCount,
        started: next === 'RUNNING',
        finished: next === 'CANCELED',
      });
      if (next === 'RUNNING' || next === 'SCHEDULED') {
        await this.campaigns.enqueue(tx, id, orgId, next === 'SCHEDULED' ? campaign.startAt! : now);
      } else {
        await this.campaigns.dequeue(tx, id);
      }
      const after = (await this.campaigns.find(tx, id))!;
      await this.notifyProgress(tx, after, now, true);
      return after;
    });
  }

  async get(orgId: string, id: string): Promise<CampaignRecord> {
    const found = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.campaigns.find(tx, id),
    );
    if (!found) throw notFound();
    return found;
  }

  async list(orgId: string, request: PageRequest): Promise<Page<CampaignRecord>> {
    const window = pageWindow(CAMPAIGN_CURSOR, request);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const rows =
        window.limit === 0 ? [] : await this.campaigns.page(tx, window.limit + 1, window.after);
      return toPage(CAMPAIGN_CURSOR, rows, window.limit, !!window.after, (c) => ({
        micros: c.createdMicros,
        id: c.id,
      }));
    });
  }

  /**
   * Rendered samples (text, segments, encoding, placeholders without a value), the list's
   * recipients (before suppression: opted-out numbers are refused at send time) and the time it
   * takes at the campaign's rate.
   */
  async preview(orgId: string, id: string, samples: number): Promise<CampaignPreview> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const campaign = await this.campaigns.find(tx, id);
      if (!campaign) throw notFound();
      const list = await this.lists.find(tx, campaign.listId);
      if (!list)
        throw new MessagingException(MessagingErrorCode.CONTACT_LIST_NOT_FOUND, 'No such list');
      const recipients = await this.campaigns.recipients(
        tx,
        list,
        null,
        Math.min(10, Math.max(1, samples)),
      );
      const counts = await this.campaigns.suppressionCounts(tx, list);
      const suppressed = counts.blocked + (counts.consentRequired ? counts.withoutConsent : 0);
      const after = Math.max(0, list.memberCount - suppressed);
      // The cost's inputs (billing prices them through the supergraph): segments from a sample.
      const sample = await this.campaigns.recipients(tx, list, null, ESTIMATE_SAMPLE);
      const estimate = estimateCampaignSends(
        sample.map((contact) => ({
          segments: analyzeSms(renderTemplate(campaign.template, contact).text).segments,
          country: countryOfNumber(contact.phoneNumber),
        })),
        after,
      );
      const { capacity, planned } = await this.pacing(tx, campaign);
      const route = campaignRoute(
        capacity.routes,
        capacity.onlinePhones,
        capacity.limits,
        capacity.sender,
      );
      return {
        campaignId: campaign.id,
        recipients: list.memberCount,
        suppressed,
        recipientsAfterSuppression: after,
        estimatedSegments: estimate.segments,
        estimatedMms: estimate.mms,
        destinationCountry: estimate.destinationCountry,
        estimatedSeconds: estimatedSeconds(after, planned.ratePerMinute),
        routeId: route?.id ?? null,
        routeKind: route?.kind ?? null,
        plannedRatePerMinute: planned.ratePerMinute,
        plannedRateLimitedBy: planned.limitedBy,
        samples: recipients.map((contact) => {
          const rendered = renderTemplate(campaign.template, contact);
          const sms = analyzeSms(rendered.text);
          return {
            contactId: contact.id,
            text: rendered.text,
            segments: sms.segments,
            encoding: sms.encoding,
            missing: rendered.missing,
          };
        }),
      };
    });
  }

  /**
   * One runner step of a claimed campaign: what its bucket allows now goes out through the
   * send path, then the cursor, the bucket and the counters move and the next step is queued.
   * Crash-safe: the keys make a step that runs again (before its cursor moved) return the
   * messages it already created. Returns whether the campaign is still running.
   */
  async step(orgId: string, id: string): Promise<boolean> {
    const now = this.clock.now();
    const plan = await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const campaign = await this.campaigns.find(tx, id, true);
      if (!campaign) {
        await this.campaigns.dequeue(tx, id);
        return undefined;
      }
      if (campaign.status === 'SCHEDULED' && campaign.startAt && campaign.startAt <= now) {
        const list = await this.lists.find(tx, campaign.listId);
        await this.campaigns.setStatus(tx, id, 'RUNNING', now, {
          started: true,
          recipientsTotal: list?.memberCount,
        });
        campaign.status = 'RUNNING';
        campaign.tokensAt = campaign.tokensAt ?? now;
      }
      if (campaign.status !== 'RUNNING') {
        if (campaign.status !== 'SCHEDULED') await this.campaigns.dequeue(tx, id);
        return undefined;
      }
      // A sender deleted, disabled or changed since: pause (and say why) rather than fail every
      // recipient; the user fixes the route and resumes.
      // Checked once a step: the pacing below reuses the answer (a `from`'s phone online).
      const sender = campaign.senderRouteId
        ? await this.routing.checkSender(tx, senderOf(campaign))
        : undefined;
      if (sender && !sender.ok) {
        await this.campaigns.setStatus(tx, id, 'PAUSED', now, {
          pausedReason: sender.refusal.code,
        });
        await this.campaigns.dequeue(tx, id);
        const paused = await this.campaigns.find(tx, id);
        if (paused) await this.notifyProgress(tx, paused, now, true);
        return undefined;
      }
      const list = await this.lists.find(tx, campaign.listId);
      if (!list || (campaign.endAt && campaign.endAt <= now)) {
        await this.complete(tx, id, now);
        return undefined;
      }
      const interval = this.config.CAMPAIGN_POLL_INTERVAL_MS;
      const { planned } = await this.pacing(tx, campaign, sender);
      const rate = planned.ratePerMinute;
      const burst = campaignBurst(rate, interval, CAMPAIGN_STEP_MAX);
      const budget = campaignBudget(
        { tokens: campaign.tokens, at: (campaign.tokensAt ?? now).getTime() },
        now.getTime(),
        rate,
        burst,
      );
      if (budget.allowed === 0) {
        await this.campaigns.advance(
          tx,
          id,
          {
            cursorContactId: null,
            tokens: budget.tokens,
            tokensAt: now,
            created: 0,
            rejected: 0,
            errors: 0,
            planned,
          },
          now,
        );
        await this.campaigns.enqueue(tx, id, orgId, new Date(now.getTime() + interval));
        return undefined;
      }
      const recipients = await this.campaigns.recipients(
        tx,
        list,
        campaign.cursorContactId,
        budget.allowed,
      );
      if (recipients.length === 0) {
        await this.complete(tx, id, now);
        return undefined;
      }
      return { campaign, recipients, budget, planned };
    });
    if (!plan) return false;

    const { campaign, recipients, budget, planned } = plan;
    const commands: SendMessageCommand[] = recipients.map((contact) => ({
      to: contact.phoneNumber,
      body: renderTemplate(campaign.template, contact).text,
      purpose: 'CAMPAIGN',
      priority: campaign.priority,
      campaignId: campaign.id,
      idempotencyKey: campaignMessageKey(campaign.id, contact.id),
      ...(campaign.senderRouteId
        ? {
            routeId: campaign.senderRouteId,
            routeFallback: campaign.senderFallback,
            from: campaign.senderFrom,
          }
        : {}),
    }));
    const outcomes = await this.messages.sendBatch(orgId, commands);
    // Inputs refused by the organization's send limit were not stored: the cursor stops before
    // the first of them, and they go in a later step.
    const limited = outcomes.findIndex(
      (o) => !o.ok && o.error.code === CommonErrorCode.RATE_LIMITED,
    );
    const done = limited === -1 ? outcomes : outcomes.slice(0, limited);
    const counts = { created: 0, rejected: 0, errors: 0 };
    for (const outcome of done) {
      if (!outcome.ok) counts.errors += 1;
      else if (outcome.message.status === 'REJECTED') counts.rejected += 1;
      else counts.created += 1;
    }
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const after = this.clock.now();
      const ring = recordRate(
        { slots: campaign.rateSlots, at: campaign.rateSlotAt?.getTime() ?? null },
        after.getTime(),
        counts.created,
      );
      await this.campaigns.advance(
        tx,
        id,
        {
          cursorContactId: done.length ? recipients[done.length - 1].id : null,
          // What this step did not use stays in the bucket.
          tokens: budget.tokens + (recipients.length - done.length),
          tokensAt: now,
          ...counts,
          planned,
          rate: { slots: ring.slots, at: new Date(ring.at!) },
        },
        after,
      );
      await this.campaigns.enqueue(
        tx,
        id,
        orgId,
        new Date(after.getTime() + this.config.CAMPAIGN_POLL_INTERVAL_MS),
      );
      const updated = await this.campaigns.find(tx, id);
      if (updated) await this.notifyProgress(tx, updated, after, false);
    });
    return true;
  }

  /** UNKNOWN_ROUTE / UNKNOWN_SENDER when the sender cannot send (routing's checkSender). */
  private async senderRefusal(
    tx: EntityManager,
    sender: { routeId: string; from: string | null; fallback: boolean },
  ): Promise<MessagingException | undefined> {
    const checked = await this.routing.checkSender(tx, sender);
    if (checked.ok) return undefined;
    const { code, message, details } = checked.refusal;
    return new MessagingException(MessagingErrorCode[code], message, details ? { details } : {});
  }

  /** The rate the campaign is paced at now (its rate capped by its route) and what capped it. */
  private async pacing(tx: EntityManager, campaign: CampaignRecord, sender?: CheckedSender) {
    const capacity = await this.capacity(tx, campaign, sender);
    const planned = plannedRate(
      campaign.ratePerMinute,
      capacity.routes,
      capacity.onlinePhones,
      templateSegments(campaign.template),
      capacity.limits,
      capacity.sender,
    );
    return { capacity, planned };
  }

  /**
   * What the campaign's pacing is capped by: the organization's routes with their numbers, the
   * online phones, and its sender (with whether the phone of a device-pool `from` is online;
   * `known`: the sender as the caller checked it already).
   */
  private async capacity(tx: EntityManager, campaign: CampaignRecord, known?: CheckedSender) {
    let sender: CapacitySender | null = null;
    if (campaign.senderRouteId) {
      const from = campaign.senderFrom;
      const checked =
        known ?? (from ? await this.routing.checkSender(tx, senderOf(campaign)) : undefined);
      sender = {
        routeId: campaign.senderRouteId,
        fallback: campaign.senderFallback,
        from: from && checked?.ok ? { online: checked.value.fromOnline } : null,
      };
    }
    return {
      routes: await this.campaigns.capacityRoutes(tx),
      onlinePhones: await this.campaigns.onlinePhones(tx),
      sender,
      limits: {
        phoneSegmentsPerMinute: this.config.CAMPAIGN_PHONE_SEGMENTS_PER_MINUTE,
        carrierSegmentsPerSecond: this.config.CAMPAIGN_CARRIER_SEGMENTS_PER_SECOND,
      },
    };
  }

  private async complete(
    tx: Parameters<CampaignsRepository['find']>[0],
    id: string,
    now: Date,
  ): Promise<void> {
    await this.campaigns.setStatus(tx, id, 'COMPLETED', now, { finished: true });
    await this.campaigns.dequeue(tx, id);
    const done = await this.campaigns.find(tx, id);
    if (done) await this.notifyProgress(tx, done, now, true);
  }

  /**
   * Queues a `campaign.progress` customer webhook (WebhooksService: one delivery per subscribed
   * endpoint) when one is due: at a status change, else at most every few seconds.
   */
  private async notifyProgress(
    tx: EntityManager,
    campaign: CampaignRecord,
    now: Date,
    statusChanged: boolean,
  ): Promise<void> {
    if (!progressWebhookDue(campaign.progressNotifiedAt, now, statusChanged)) return;
    await this.webhooks.onCampaignProgress(tx, {
      orgId: campaign.orgId,
      campaignId: campaign.id,
      status: campaign.status,
      pausedReason: campaign.pausedReason,
      recipientsTotal: campaign.recipientsTotal,
      messagesCreated: campaign.messagesCreated,
      messagesRejected: campaign.messagesRejected,
      sendErrors: campaign.sendErrors,
      messagesSent: campaign.messagesSent,
      messagesDelivered: campaign.messagesDelivered,
      messagesFailed: campaign.messagesFailed,
      messagesExpired: campaign.messagesExpired,
      ...liveProgressSnapshot(campaign, now),
    });
    await this.campaigns.markProgressNotified(tx, campaign.id, now);
  }

  /**
   * messaging.message.v1 (the consumer's transaction, tenant entered): a campaign message's
   * lifecycle event moves its campaign's status counter, once per event (processed_events).
   */
  async onMessageEvent(
    tx: EntityManager,
    event: { campaignId: string; kind: string },
  ): Promise<void> {
    const counter = campaignCounterOf(event.kind);
    if (!counter || !isUuid(event.campaignId)) return;
    await this.campaigns.countEvent(tx, event.campaignId, counter);
  }

  /** Claims due campaigns (any tenant) for one runner pass. */
  async claimDue(limit: number): Promise<Array<{ campaignId: string; tenantId: string }>> {
    const now = this.clock.now();
    return inGlobalTransaction(this.dataSource, (tx) =>
      this.campaigns.claimDue(tx, now, new Date(now.getTime() + RUN_LEASE_MS), limit),
    );
  }
}

/** The template's segments with every placeholder at its fallback: what the capacity divides. */
function templateSegments(template: string): number {
  return analyzeSms(renderTemplate(template, { name: null, phoneNumber: '', attributes: {} }).text)
    .segments;
}

function notFound(): MessagingException {
  return new MessagingException(MessagingErrorCode.CAMPAIGN_NOT_FOUND, 'No such campaign');
}

/** A campaign's sender as routing checks it (the campaign has one). */
function senderOf(campaign: CampaignRecord) {
  return {
    routeId: campaign.senderRouteId!,
    from: campaign.senderFrom,
    fallback: campaign.senderFallback,
  };
}

/** A sender as routing's checkSender answers. */
type CheckedSender = Awaited<ReturnType<RoutingService['checkSender']>>;
