import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type AuditRecord, type FetchedBatch, OutboxWriter } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { type complianceV1, messagingV1 } from '@switchboard/contracts';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { pageWindow, toPage, type Page, type PageRequest } from '../common/page';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { checkWebhookUrl, isUrlProblem } from '../domain/webhook-address';
import { normalizeEventTypes, type WebhookEventType } from '../domain/webhook-event-types';
import { describeProblem, WebhookHttpClient, type WebhookResponse } from './webhook-http.client';
import {
  campaignProgressWebhook,
  messageWebhook,
  messageWebhookType,
  optOutWebhook,
  pingWebhook,
  type CampaignProgressSnapshot,
  type WebhookPayload,
} from './webhook-payloads';
import type {
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
} from './webhook.record';
import { WebhookSigner } from './webhook-signer';
import { WebhooksRepository, type DeliveryFilter } from './webhooks.repository';

export interface EndpointInput {
  url?: string | null;
  eventTypes?: readonly string[] | null;
  description?: string | null;
  enabled?: boolean | null;
}

export type AuditActor = AuditRecord['actor'];

const MAX_DESCRIPTION = 500;
const MAX_OVERLAP_HOURS = 24 * 7;
const MAX_ENDPOINTS = 20;
const HOUR = 3_600_000;

const endpointNotFound = () =>
  new MessagingException(MessagingErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, 'No such webhook endpoint');
const deliveryNotFound = () =>
  new MessagingException(MessagingErrorCode.WEBHOOK_DELIVERY_NOT_FOUND, 'No such webhook delivery');

/** The secrets that sign at `now`: the current one, and the previous one during its overlap. */
export function signingSecrets(endpoint: WebhookEndpointRecord, now: Date): string[] {
  const previous =
    endpoint.previousSecret &&
    endpoint.previousSecretExpiresAt &&
    endpoint.previousSecretExpiresAt > now
      ? [endpoint.previousSecret]
      : [];
  return [endpoint.secret, ...previous];
}

/**
 * Customer webhooks: endpoints (URL rules and the SSRF guard, secrets shown once and rotated
 * with an overlap), the deliveries events fan out to, replay, the test ping, the delivery log.
 * The sending itself is WebhookDeliveryWorker's.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly webhooks: WebhooksRepository,
    private readonly http: WebhookHttpClient,
    private readonly signer: WebhookSigner,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async create(
    orgId: string,
    actor: AuditActor,
    input: { url: string; eventTypes: readonly string[]; description?: string | null },
  ): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
    const url = await this.checkUrl(input.url);
    const eventTypes = this.checkEventTypes(input.eventTypes);
    const description = this.checkDescription(input.description ?? '');
    const secret = this.signer.newSecret();
    const endpoint = await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if ((await this.webhooks.listEndpoints(tx)).length >= MAX_ENDPOINTS) {
        throw new MessagingException(
          MessagingErrorCode.INVALID_WEBHOOK_INPUT,
          `An organization has at most ${MAX_ENDPOINTS} webhook endpoints`,
        );
      }
      const now = this.clock.now();
      const created = await this.webhooks.insertEndpoint(tx, {
        id: randomUUID(),
        orgId,
        url,
        description,
        eventTypes,
        secret,
        now,
      });
      await this.audit(tx, actor, orgId, 'webhook_endpoint.create', created.id, now, {
        eventTypes: eventTypes.join(','),
      });
      return created;
    });
    return { endpoint, secret };
  }

  async update(
    orgId: string,
    actor: AuditActor,
    id: string,
    input: EndpointInput,
  ): Promise<WebhookEndpointRecord> {
    const url = input.url == null ? undefined : await this.checkUrl(input.url);
    const eventTypes =
      input.eventTypes == null ? undefined : this.checkEventTypes(input.eventTypes);
    const description =
      input.description == null ? undefined : this.checkDescription(input.description);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const updated = await this.webhooks.updateEndpoint(
        tx,
        id,
        { url, eventTypes, description, enabled: input.enabled ?? undefined },
        now,
      );
      if (!updated) throw endpointNotFound();
      await this.audit(tx, actor, orgId, 'webhook_endpoint.update', id, now, {
        enabled: String(updated.enabled),
      });
      return updated;
    });
  }

  async delete(orgId: string, actor: AuditActor, id: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (!(await this.webhooks.deleteEndpoint(tx, id))) throw endpointNotFound();
      await this.audit(tx, actor, orgId, 'webhook_endpoint.delete', id, this.clock.now());
      return true;
    });
  }

  /** A new secret (shown once); the previous one keeps signing for `overlapHours`. */
  async rotateSecret(
    orgId: string,
    actor: AuditActor,
    id: string,
    overlapHours: number,
  ): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
    if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > MAX_OVERLAP_HOURS) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_WEBHOOK_INPUT,
        `overlapHours must be a whole number between 0 and ${MAX_OVERLAP_HOURS}`,
      );
    }
    const secret = this.signer.newSecret();
    const endpoint = await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const rotated = await this.webhooks.rotateSecret(
        tx,
        id,
        secret,
        new Date(now.getTime() + overlapHours * HOUR),
        now,
      );
      if (!rotated) throw endpointNotFound();
      await this.audit(tx, actor, orgId, 'webhook_endpoint.rotate_secret', id, now, {
        overlapHours: String(overlapHours),
      });
      return rotated;
    });
    return { endpoint, secret };
  }

  list(orgId: string): Promise<WebhookEndpointRecord[]> {
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.webhooks.listEndpoints(tx));
  }

  async deliveries(
    orgId: string,
    endpointId: string,
    filter: DeliveryFilter,
    request: PageRequest,
  ): Promise<Page<WebhookDeliveryRecord>> {
    const window = pageWindow('webhook-delivery', request);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (!(await this.webhooks.findEndpoint(tx, endpointId))) throw endpointNotFound();
      const found = await this.webhooks.listDeliveries(
        tx,
        endpointId,
        filter,
        window.limit,
        window.after,
      );
      return toPage('webhook-delivery', found, window.limit, !!window.after, (d) => ({
        micros: d.createdMicros,
        id: d.id,
      }));
    });
  }

  attempts(orgId: string, deliveryId: string): Promise<WebhookAttemptRecord[]> {
    return inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.webhooks.attemptsOf(tx, deliveryId),
    );
  }

  /** Sends one delivery again now (same webhook-id), with a fresh retry window. */
  async replay(orgId: string, id: string): Promise<WebhookDeliveryRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const [replayed] = await this.webhooks.replay(tx, { id }, now);
      if (!replayed) throw deliveryNotFound();
      await this.webhooks.enqueue(tx, replayed, orgId, now);
      return (await this.webhooks.findDelivery(tx, replayed))!;
    });
  }

  /** Sends again every delivery of the endpoint created in [from, to); returns how many. */
  async replayRange(orgId: string, endpointId: string, from: Date, to: Date): Promise<number> {
    if (!(from < to)) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_WEBHOOK_INPUT,
        '`from` must be before `to`',
      );
    }
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (!(await this.webhooks.findEndpoint(tx, endpointId))) throw endpointNotFound();
      const now = this.clock.now();
      const ids = await this.webhooks.replay(tx, { endpointId, from, to }, now);
      for (const id of ids) await this.webhooks.enqueue(tx, id, orgId, now);
      return ids.length;
    });
  }

  /** A signed `webhook.ping` to the endpoint, now; its answer (nothing is stored). */
  async test(orgId: string, id: string): Promise<WebhookResponse> {
    const endpoint = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.webhooks.findEndpoint(tx, id),
    );
    if (!endpoint) throw endpointNotFound();
    const now = this.clock.now();
    const ping = pingWebhook(randomUUID(), endpoint.id, now);
    return this.http.post(
      endpoint.url,
      this.requestHeaders(endpoint, ping.eventId, ping.body, now),
      ping.body,
    );
  }

  /** The headers of a request carrying `payload` to `endpoint` at `now` (signed). */
  requestHeaders(
    endpoint: WebhookEndpointRecord,
    eventId: string,
    body: string,
    now: Date,
  ): Record<string, string> {
    return {
      'content-type': 'application/json',
      'user-agent': 'Switchboard-Webhooks/1',
      ...this.signer.headers(signingSecrets(endpoint, now), eventId, now, body),
    };
  }

  /**
   * Whether a message event has anything to deliver: false when the organization has no enabled
   * endpoint for its type (one statement, no transaction; the consumer then skips it), asked
   * once per organization and type of a fetched batch.
   */
  async wantsMessageEvent(event: messagingV1.MessageEvent, batch: FetchedBatch): Promise<boolean> {
    if (event.kind === messagingV1.MessageEventKind.MEDIA_STORED) return false;
    const type = messageWebhookType(event);
    return batch.once(`subscribed:${event.orgId}:${type}`, () =>
      this.webhooks.subscribed(event.orgId, type),
    );
  }

  /**
   * A message event (`messaging.message.v1`): one delivery per subscribed endpoint. MEDIA_STORED
   * is not a webhook event: `message.received` already told of the message, and its media are
   * read through the API (`Message.media`).
   */
  async onMessageEvent(
    tx: EntityManager,
    orgId: string,
    eventId: string,
    event: messagingV1.MessageEvent,
  ): Promise<void> {
    if (event.kind === messagingV1.MessageEventKind.MEDIA_STORED) return;
    await this.fanOut(tx, orgId, messageWebhook(eventId, event));
  }

  /** A suppression state (`compliance.suppression.v1`): `opt_out.changed` when it says so. */
  async onSuppressionState(
    tx: EntityManager,
    orgId: string,
    state: complianceV1.SuppressionState,
  ): Promise<void> {
    const payload = optOutWebhook(state);
    // Only endpoints that existed at the change: the compacted topic replays old changes.
    if (payload) await this.fanOut(tx, orgId, payload, payload.occurredAt);
  }

  /** A campaign's progress (campaigns' runner and status changes): `campaign.progress`. */
  async onCampaignProgress(tx: EntityManager, progress: CampaignProgressSnapshot): Promise<void> {
    await this.fanOut(tx, progress.orgId, campaignProgressWebhook(progress, this.clock.now()));
  }

  private async fanOut(
    tx: EntityManager,
    orgId: string,
    payload: WebhookPayload,
    existedAt?: Date,
  ): Promise<void> {
    if (payload.type === 'webhook.ping') return;
    const endpoints = await this.webhooks.subscribers(tx, payload.type, existedAt);
    const now = this.clock.now();
    for (const endpoint of endpoints) {
      const id = await this.webhooks.insertDelivery(tx, {
        orgId,
        endpointId: endpoint.id,
        eventId: payload.eventId,
        eventType: payload.type,
        payload: payload.body,
        now,
      });
      if (id) await this.webhooks.enqueue(tx, id, orgId, now);
    }
  }

  private async checkUrl(raw: string): Promise<string> {
    const allowHttp = this.config.WEBHOOK_ALLOW_HTTP && this.config.NODE_ENV !== 'production';
    const checked = checkWebhookUrl(raw.trim(), { allowHttp });
    if (isUrlProblem(checked)) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_WEBHOOK_URL,
        describeProblem(checked),
      );
    }
    const problem = await this.http.hostProblem(checked.host);
    if (problem) {
      throw new MessagingException(
        problem.kind === 'invalid'
          ? MessagingErrorCode.INVALID_WEBHOOK_URL
          : MessagingErrorCode.WEBHOOK_ADDRESS_FORBIDDEN,
        describeProblem(problem),
      );
    }
    return checked.url;
  }

  private checkEventTypes(types: readonly string[]): WebhookEventType[] {
    const normalized = normalizeEventTypes(types);
    if (!normalized) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_WEBHOOK_EVENT_TYPES,
        'eventTypes must list at least one known event type',
      );
    }
    return normalized;
  }

  private checkDescription(description: string): string {
    if (description.length > MAX_DESCRIPTION) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_WEBHOOK_INPUT,
        `description is longer than ${MAX_DESCRIPTION} characters`,
      );
    }
    return description;
  }

  private async audit(
    tx: EntityManager,
    actor: AuditActor,
    orgId: string,
    action: string,
    resourceId: string,
    occurredAt: Date,
    metadata?: Record<string, string>,
  ): Promise<void> {
    await this.outbox.audit(tx, {
      actor,
      action,
      orgId,
      resourceType: 'webhook_endpoint',
      resourceId,
      outcome: 'success',
      occurredAt,
      metadata,
    });
  }
}
