import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { KeysetPosition } from '@switchboard/service-kit';
import { row, rows } from '@switchboard/tenancy';
import type { CampaignCounter, CampaignStatus } from '../domain/campaign';
import type { SegmentFilter } from '../domain/segment';
import type { CampaignRecipient, CampaignRecord } from './campaign.record';

type Row = Record<string, unknown>;

const COUNTER_COLUMNS: Record<CampaignCounter, string> = {
  sent: 'messages_sent',
  delivered: 'messages_delivered',
  failed: 'messages_failed',
  expired: 'messages_expired',
};

const SELECT = `SELECT c.*, (extract(epoch FROM c.created_at) * 1000000)::bigint::text AS created_micros
  FROM campaigns c`;

const toCampaign = (r: Row): CampaignRecord => ({
  id: r.id as string,
  orgId: r.org_id as string,
  name: r.name as string,
  listId: r.list_id as string,
  template: r.template as string,
  ratePerMinute: Number(r.rate_per_minute),
  priority: r.priority == null ? null : Number(r.priority),
  senderRouteId: (r.sender_route_id as string | null) ?? null,
  senderFrom: (r.sender_from as string | null) ?? null,
  senderFallback: r.sender_fallback === true,
  startAt: (r.start_at as Date | null) ?? null,
  endAt: (r.end_at as Date | null) ?? null,
  status: r.status as CampaignStatus,
  pausedReason: (r.paused_reason as string | null) ?? null,
  cursorContactId: (r.cursor_contact_id as string | null) ?? null,
  tokens: Number(r.tokens),
  tokensAt: (r.tokens_at as Date | null) ?? null,
  recipientsTotal: Number(r.recipients_total),
  messagesCreated: Number(r.messages_created),
  messagesRejected: Number(r.messages_rejected),
  sendErrors: Number(r.send_errors),
  messagesSent: Number(r.messages_sent),
  messagesDelivered: Number(r.messages_delivered),
  messagesFailed: Number(r.messages_failed),
  messagesExpired: Number(r.messages_expired),
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  startedAt: (r.started_at as Date | null) ?? null,
  finishedAt: (r.finished_at as Date | null) ?? null,
  progressNotifiedAt: (r.progress_notified_at as Date | null) ?? null,
  plannedRatePerMinute:
    r.planned_rate_per_minute == null ? null : Number(r.planned_rate_per_minute),
  plannedLimitedBy: (r.planned_limited_by as CampaignRecord['plannedLimitedBy']) ?? null,
  rateSlots: ((r.rate_slots as number[] | null) ?? []).map(Number),
  rateSlotAt: (r.rate_slot_at as Date | null) ?? null,
  createdMicros: r.created_micros as string,
});

const toRecipient = (r: Row): CampaignRecipient => ({
  id: r.id as string,
  phoneNumber: r.phone_number as string,
  name: (r.name as string | null) ?? null,
  attributes: (r.attributes as Record<string, string>) ?? {},
});

/** All SQL of campaigns: the campaign, its recipients, its progress and the runner's queue. */
@Injectable()
export class CampaignsRepository {
  async insert(
    tx: EntityManager,
    c: Pick<
      CampaignRecord,
      | 'id'
      | 'orgId'
      | 'name'
      | 'listId'
      | 'template'
      | 'ratePerMinute'
      | 'priority'
      | 'startAt'
      | 'endAt'
      | 'senderRouteId'
      | 'senderFrom'
      | 'senderFallback'
    >,
    now: Date,
  ): Promise<CampaignRecord> {
    const r = await row<Row>(
      tx,
      `WITH inserted AS (
         INSERT INTO campaigns (id, org_id, name, list_id, template, rate_per_minute, start_at, end_at,
                                status, created_at, updated_at, priority,
                                sender_route_id, sender_from, sender_fallback)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'DRAFT', $9, $9, $10, $11, $12, $13) RETURNING *)
       SELECT c.*, (extract(epoch FROM c.created_at) * 1000000)::bigint::text AS created_micros
         FROM inserted c`,
      [
        c.id,
        c.orgId,
        c.name,
        c.listId,
        c.template,
        c.ratePerMinute,
        c.startAt,
        c.endAt,
        now,
        c.priority,
        c.senderRouteId,
        c.senderFrom,
        c.senderFallback,
      ],
    );
    return toCampaign(r!);
  }

  async find(tx: EntityManager, id: string, lock = false): Promise<CampaignRecord | undefined> {
    const r = await row<Row>(tx, `${SELECT} WHERE c.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return r && toCampaign(r);
  }

  async page(tx: EntityManager, limit: number, after?: KeysetPosition): Promise<CampaignRecord[]> {
    const params: unknown[] = [limit];
    let where = '';
    if (after) {
      params.push(after.micros, after.id);
      where = `WHERE (c.created_at, c.id) < (to_timestamp($2::bigint / 1000000.0), $3::uuid)`;
    }
    return (
      await rows<Row>(
        tx,
        `${SELECT} ${where} ORDER BY c.created_at DESC, c.id DESC LIMIT $1`,
        params,
      )
    ).map(toCampaign);
  }

  async setStatus(
    tx: EntityManager,
    id: string,
    status: CampaignStatus,
    now: Date,
    extra: {
      recipientsTotal?: number;
      started?: boolean;
      finished?: boolean;
      /** PAUSED by the runner: why (any other status change clears it). */
      pausedReason?: string;
    } = {},
  ): Promise<void> {
    await tx.query(
      `UPDATE campaigns SET status = $2, updated_at = $3, paused_reason = $7,
              recipients_total = COALESCE($4, recipients_total),
              started_at = CASE WHEN $5 AND started_at IS NULL THEN $3 ELSE started_at END,
              tokens_at = CASE WHEN $5 AND tokens_at IS NULL THEN $3 ELSE tokens_at END,
              finished_at = CASE WHEN $6 THEN $3 ELSE finished_at END
        WHERE id = $1`,
      [
        id,
        status,
        now,
        extra.recipientsTotal ?? null,
        !!extra.started,
        !!extra.finished,
        extra.pausedReason ?? null,
      ],
    );
  }

  /** After a fan-out step: the cursor, the bucket and the counters. */
  async advance(
    tx: EntityManager,
    id: string,
    step: {
      cursorContactId: string | null;
      tokens: number;
      tokensAt: Date;
      created: number;
      rejected: number;
      errors: number;
      /** The pacing the step used; the "rate now" ring after it (domain/campaign). */
      planned?: { ratePerMinute: number; limitedBy: string };
      rate?: { slots: number[]; at: Date };
    },
    now: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE campaigns SET cursor_contact_id = COALESCE($2, cursor_contact_id), tokens = $3,
              tokens_at = $4, messages_created = messages_created + $5,
              messages_rejected = messages_rejected + $6, send_errors = send_errors + $7,
              updated_at = $8,
              planned_rate_per_minute = COALESCE($9, planned_rate_per_minute),
              planned_limited_by = COALESCE($10, planned_limited_by),
              rate_slots = COALESCE($11::integer[], rate_slots),
              rate_slot_at = COALESCE($12, rate_slot_at)
        WHERE id = $1`,
      [
        id,
        step.cursorContactId,
        step.tokens,
        step.tokensAt,
        step.created,
        step.rejected,
        step.errors,
        now,
        step.planned?.ratePerMinute ?? null,
        step.planned?.limitedBy ?? null,
        step.rate?.slots ?? null,
        step.rate?.at ?? null,
      ],
    );
  }

  /**
   * The organization's routes as the campaign's capacity sees them (priority order), with each
   * carrier route's SMS-capable sender numbers.
   */
  async capacityRoutes(tx: EntityManager): Promise<
    Array<{
      id: string;
      kind: 'DEVICE_POOL' | 'TWILIO' | 'TELNYX';
      enabled: boolean;
      numbers: number;
    }>
  > {
    const found = await rows<{ id: string; kind: string; enabled: boolean; numbers: number }>(
      tx,
      `SELECT r.id, r.kind, r.enabled,
              (SELECT count(*)::int FROM carrier_numbers n
                WHERE n.carrier_account_id = r.carrier_account_id AND n.sms) AS numbers
         FROM routes r ORDER BY r.priority, r.id`,
    );
    return found.map((r) => ({
      id: r.id,
      kind: r.kind as 'DEVICE_POOL' | 'TWILIO' | 'TELNYX',
      enabled: r.enabled,
      numbers: Number(r.numbers),
    }));
  }

  async markProgressNotified(tx: EntityManager, id: string, at: Date): Promise<void> {
    await tx.query(`UPDATE campaigns SET progress_notified_at = $2 WHERE id = $1`, [id, at]);
  }

  /**
   * For a preview: how many of the list's contacts the pre-send policies would refuse now —
   * opted out or DND, and (separately) without recorded consent. One pass over the list.
   */
  async suppressionCounts(
    tx: EntityManager,
    list: { id: string; filter: SegmentFilter | null },
  ): Promise<{ blocked: number; withoutConsent: number; consentRequired: boolean }> {
    const members = list.filter
      ? `SELECT c.phone_number FROM contacts c WHERE c.attributes @> $1::jsonb`
      : `SELECT c.phone_number FROM contact_list_members m JOIN contacts c ON c.id = m.contact_id
          WHERE m.list_id = $1::uuid`;
    const r = await row<{ blocked: number; without_consent: number; consent_required: boolean }>(
      tx,
      `SELECT count(*) FILTER (WHERE s.opted_out OR s.dnd)::int AS blocked,
              count(*) FILTER (WHERE NOT coalesce(s.opted_out OR s.dnd, false)
                                 AND NOT coalesce(s.consent, false))::int AS without_consent,
              coalesce((SELECT consent_required_for_campaigns FROM organization_policies LIMIT 1), false)
                AS consent_required
         FROM (${members}) r
         LEFT JOIN suppression_states s ON s.phone_number = r.phone_number`,
      [list.filter ? JSON.stringify(list.filter) : list.id],
    );
    return {
      blocked: r?.blocked ?? 0,
      withoutConsent: r?.without_consent ?? 0,
      consentRequired: r?.consent_required ?? false,
    };
  }

  /** The organization's phones online now (devices projection). */
  async onlinePhones(tx: EntityManager): Promise<number> {
    const r = await row<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM devices WHERE removed_at IS NULL AND status = 'ONLINE'`,
    );
    return r?.n ?? 0;
  }

  /** A lifecycle event of one of the campaign's messages: one counter up. */
  async countEvent(tx: EntityManager, id: string, counter: CampaignCounter): Promise<void> {
    const column = COUNTER_COLUMNS[counter];
    await tx.query(`UPDATE campaigns SET ${column} = ${column} + 1 WHERE id = $1`, [id]);
  }

  /** The next recipients after `cursor` (contact id order): a static list's or a segment's. */
  async recipients(
    tx: EntityManager,
    list: { id: string; filter: SegmentFilter | null },
    cursor: string | null,
    limit: number,
  ): Promise<CampaignRecipient[]> {
    const found = list.filter
      ? await rows<Row>(
          tx,
          `SELECT id, phone_number, name, attributes FROM contacts
            WHERE attributes @> $1::jsonb AND ($2::uuid IS NULL OR id > $2)
            ORDER BY id LIMIT $3`,
          [JSON.stringify(list.filter), cursor, limit],
        )
      : await rows<Row>(
          tx,
          `SELECT c.id, c.phone_number, c.name, c.attributes
             FROM contact_list_members m JOIN contacts c ON c.id = m.contact_id
            WHERE m.list_id = $1 AND ($2::uuid IS NULL OR m.contact_id > $2)
            ORDER BY m.contact_id LIMIT $3`,
          [list.id, cursor, limit],
        );
    return found.map(toRecipient);
  }

  /** Puts a campaign in the runner's queue (or moves its time). */
  async enqueue(tx: EntityManager, id: string, tenantId: string, dueAt: Date): Promise<void> {
    await tx.query(
      `INSERT INTO campaign_run_queue (campaign_id, tenant_id, due_at) VALUES ($1, $2, $3)
       ON CONFLICT (campaign_id) DO UPDATE SET due_at = EXCLUDED.due_at`,
      [id, tenantId, dueAt],
    );
  }

  async dequeue(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`DELETE FROM campaign_run_queue WHERE campaign_id = $1`, [id]);
  }

  /**
   * Claims due campaigns across tenants (SKIP LOCKED: replicas share the queue) by moving their
   * time to `leaseUntil`: a runner that dies holding one lets another take it after the lease.
   */
  async claimDue(
    tx: EntityManager,
    now: Date,
    leaseUntil: Date,
    limit: number,
  ): Promise<Array<{ campaignId: string; tenantId: string }>> {
    const claimed = await rows<Row>(
      tx,
      `UPDATE campaign_run_queue q SET due_at = $2
         FROM (SELECT campaign_id FROM campaign_run_queue WHERE due_at <= $1
                ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
        WHERE q.campaign_id = due.campaign_id
        RETURNING q.campaign_id, q.tenant_id`,
      [now, leaseUntil, limit],
    );
    return claimed.map((r) => ({
      campaignId: r.campaign_id as string,
      tenantId: r.tenant_id as string,
    }));
  }
}
