import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { KeysetPosition } from '@switchboard/service-kit';
import type { SqlStatement } from '@switchboard/tenancy';
import type { MessageDirection, MessageStatus } from '../domain/message-status';
import { MESSAGE_COLUMNS, type MessagePatch, type MessageRecord } from './message.record';

/** A filter of the messages connection, already normalized (numbers in E.164). */
export interface MessageFilter {
  status?: MessageStatus[];
  direction?: MessageDirection;
  to?: string;
  from?: string;
  deviceId?: string;
  conversationId?: string;
  campaignId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

type Row = Record<string, unknown>;

const SELECT = `SELECT m.*, (extract(epoch FROM m.created_at) * 1000000)::bigint::text AS created_micros
  FROM messages m`;

const date = (value: unknown) => (value == null ? null : (value as Date));

export function messageFromRow(row: Row): MessageRecord {
  return {
    id: row.id as string,
    orgId: row.org_id as string,
    direction: row.direction as MessageRecord['direction'],
    status: row.status as MessageStatus,
    fromNumber: (row.from_number as string | null) ?? null,
    toNumber: (row.to_number as string | null) ?? null,
    body: (row.body as string | null) ?? null,
    encoding: row.encoding as MessageRecord['encoding'],
    segments: Number(row.segments),
    mediaUrls: (row.media_urls as string[] | null) ?? [],
    route: (row.route as MessageRecord['route']) ?? null,
    deviceId: (row.device_id as string | null) ?? null,
    simNumber: row.sim_number == null ? null : Number(row.sim_number),
    requestedDeviceId: (row.requested_device_id as string | null) ?? null,
    requestedSimNumber: row.requested_sim_number == null ? null : Number(row.requested_sim_number),
    conversationId: (row.conversation_id as string | null) ?? null,
    campaignId: (row.campaign_id as string | null) ?? null,
    externalId: (row.external_id as string | null) ?? null,
    ghlMessageId: (row.ghl_message_id as string | null) ?? null,
    deviceMessageId: (row.device_message_id as string | null) ?? null,
    idempotencyKey: (row.idempotency_key as string | null) ?? null,
    purpose: (row.purpose as MessageRecord['purpose']) ?? null,
    priority: row.priority == null ? null : Number(row.priority),
    metadata: (row.metadata as Record<string, string> | null) ?? {},
    error: row.error_code
      ? {
          code: row.error_code as string,
          message: (row.error_message as string | null) ?? '',
          rawCode: (row.error_raw_code as string | null) ?? null,
          rawMessage: (row.error_raw_message as string | null) ?? null,
        }
      : null,
    attempt: Number(row.attempt),
    excludedDeviceIds: (row.excluded_device_ids as string[] | null) ?? [],
    scheduledAt: date(row.scheduled_at),
    validUntil: date(row.valid_until),
    eventSequence: Number(row.event_sequence),
    createdAt: row.created_at as Date,
    createdMicros: row.created_micros as string,
    updatedAt: row.updated_at as Date,
    queuedAt: date(row.queued_at),
    scheduledStatusAt: date(row.scheduled_status_at),
    dispatchedAt: date(row.dispatched_at),
    sentAt: date(row.sent_at),
    deliveredAt: date(row.delivered_at),
    failedAt: date(row.failed_at),
    rejectedAt: date(row.rejected_at),
    expiredAt: date(row.expired_at),
    canceledAt: date(row.canceled_at),
    receivedAt: date(row.received_at),
  };
}

/** Column/value pairs of a patch (the error spread over its four columns). */
function assignments(patch: MessagePatch): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (field === 'error') {
      const error = value as MessagePatch['error'];
      pairs.push(
        ['error_code', error?.code ?? null],
        ['error_message', error?.message ?? null],
        ['error_raw_code', error?.rawCode ?? null],
        ['error_raw_message', error?.rawMessage ?? null],
      );
      continue;
    }
    const column = MESSAGE_COLUMNS[field as keyof typeof MESSAGE_COLUMNS];
    if (!column) throw new Error(`not a writable message field: ${field}`);
    pairs.push([column, field === 'metadata' ? JSON.stringify(value) : value]);
  }
  return pairs;
}

/** SQL of `messages`. Every method runs in the caller's (tenant) transaction. */
@Injectable()
export class MessagesRepository {
  /**
   * The INSERT statements of new messages (to run alone or with runTogether): rows with the
   * same columns share a multi-row INSERT (new outbound messages all have the same).
   */
  insertStatements(
    messages: readonly (MessagePatch & { id: string; orgId: string })[],
  ): SqlStatement[] {
    const groups = new Map<string, [string, unknown][][]>();
    for (const message of messages) {
      const pairs = assignments(message);
      const columns = pairs.map(([c]) => c).join(', ');
      const group = groups.get(columns);
      if (group) group.push(pairs);
      else groups.set(columns, [pairs]);
    }
    return [...groups].map(([columns, rows]) => {
      const width = rows[0].length;
      return {
        text: `INSERT INTO messages (${columns}) VALUES ${rows
          .map((_, r) => `(${rows[0].map((__, c) => `$${r * width + c + 1}`).join(', ')})`)
          .join(', ')}`,
        values: rows.flatMap((pairs) => pairs.map(([, v]) => v)),
      };
    });
  }

  /** Inserts an inbound message unless the device already posted it; false when it did. */
  async insertInbound(
    tx: EntityManager,
    message: MessagePatch & { id: string; orgId: string },
  ): Promise<boolean> {
    const pairs = assignments(message);
    const rows: unknown[] = await tx.query(
      `INSERT INTO messages (${pairs.map(([c]) => c).join(', ')})
       VALUES (${pairs.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (org_id, device_id, device_message_id) WHERE device_message_id IS NOT NULL
       DO NOTHING RETURNING id`,
      pairs.map(([, v]) => v),
    );
    return rows.length > 0;
  }

  async findById(
    tx: EntityManager,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<MessageRecord | undefined> {
    const rows: Row[] = await tx.query(
      `${SELECT} WHERE m.id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? messageFromRow(rows[0]) : undefined;
  }

  async update(tx: EntityManager, id: string, patch: MessagePatch): Promise<void> {
    const pairs = assignments(patch);
    if (pairs.length === 0) return;
    await tx.query(
      `UPDATE messages SET ${pairs.map(([c], i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`,
      [id, ...pairs.map(([, v]) => v)],
    );
  }

  /**
   * One page of the organization's messages, newest first: `limit` rows after `after` in the
   * order (created_at DESC, id DESC).
   */
  async page(
    tx: EntityManager,
    orgId: string,
    filter: MessageFilter,
    limit: number,
    after?: KeysetPosition,
  ): Promise<MessageRecord[]> {
    const where = ['m.org_id = $1'];
    const params: unknown[] = [orgId];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.status?.length) add((p) => `m.status = ANY(${p}::text[])`, filter.status);
    if (filter.direction) add((p) => `m.direction = ${p}`, filter.direction);
    if (filter.to) add((p) => `m.to_number = ${p}`, filter.to);
    if (filter.from) add((p) => `m.from_number = ${p}`, filter.from);
    if (filter.deviceId) add((p) => `m.device_id = ${p}`, filter.deviceId);
    if (filter.conversationId) add((p) => `m.conversation_id = ${p}`, filter.conversationId);
    if (filter.campaignId) add((p) => `m.campaign_id = ${p}`, filter.campaignId);
    if (filter.createdAfter) add((p) => `m.created_at >= ${p}`, filter.createdAfter);
    if (filter.createdBefore) add((p) => `m.created_at < ${p}`, filter.createdBefore);
    if (after) {
      params.push(after.micros, after.id);
      const micros = `$${params.length - 1}`;
      const id = `$${params.length}`;
      where.push(
        `(m.created_at, m.id) < (timestamptz 'epoch' + ${micros}::bigint * interval '1 microsecond', ${id}::uuid)`,
      );
    }
    params.push(limit);
    const rows: Row[] = await tx.query(
      `${SELECT} WHERE ${where.join(' AND ')}
       ORDER BY m.created_at DESC, m.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(messageFromRow);
  }

  /**
   * Runs one item of a batch under a savepoint: when it fails, its part is undone and the
   * batch's transaction (and its other items) goes on; the error is rethrown.
   */
  async inSavepoint<T>(tx: EntityManager, work: () => Promise<T>): Promise<T> {
    await tx.query('SAVEPOINT batch_item');
    try {
      const result = await work();
      await tx.query('RELEASE SAVEPOINT batch_item');
      return result;
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT batch_item');
      throw error;
    }
  }
}

/**
 * PostgreSQL gave up on the transaction because of concurrent ones (deadlock detected,
 * serialization failure): the whole transaction can be run again.
 */
export function isTransactionConflict(error: unknown): boolean {
  const code =
    (error as { driverError?: { code?: string } } | null)?.driverError?.code ??
    (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}
