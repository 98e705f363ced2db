import { randomUUID } from 'node:crypto';
import {
  create,
  toBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import { context, propagation } from '@opentelemetry/api';
import {
  CLOUDEVENTS_SPEC_VERSION,
  PROTOBUF_CONTENT_TYPE,
  ceSource,
  ceTypeOf,
  type TopicSpec,
} from '@switchboard/contracts';
import { currentRequestContext } from '@switchboard/observability';
import { Header, type KafkaHeaders } from './headers';
import type { SqlStatement } from '@switchboard/tenancy';
import type { SqlRunner } from './event-tables';

export interface EventDraft<S extends DescMessage> {
  topic: TopicSpec<S>;
  /** Record key: decides the partition, hence the order consumers see (e.g. the message id). */
  key: string;
  /** The protobuf event (a message of the topic's schema, or its init shape). */
  event: MessageShape<S> | MessageInitShape<S>;
  /** CloudEvents type; by default the concrete event's protobuf name (ceTypeOf). */
  type?: string;
  /** CloudEvents subject: the aggregate the event is about. Defaults to the key. */
  subject?: string;
  /** The tenant. */
  orgId?: string;
  correlationId?: string;
  causationId?: string;
  /** Fixed event id (otherwise a new uuid). Use a stable one to make writes idempotent. */
  id?: string;
  time?: Date;
}

export interface OutboxRecord {
  eventId: string;
  type: string;
}

/**
 * Adds an event of `service` to the outbox inside the caller's transaction (`runner` is the
 * transaction's EntityManager or QueryRunner). It is published only if that transaction commits. The current
 * trace context is stored with it, so the trace continues in whoever consumes the event.
 */
export async function addToOutbox<S extends DescMessage>(
  runner: SqlRunner,
  service: string,
  draft: EventDraft<S>,
): Promise<OutboxRecord> {
  return (await addAllToOutbox(runner, service, [draft]))[0];
}

/**
 * `addToOutbox` for several events at once, in one statement (one round trip), in the order
 * given (the relay publishes them in that order).
 */
export async function addAllToOutbox(
  runner: SqlRunner,
  service: string,
  drafts: readonly EventDraft<DescMessage>[],
): Promise<OutboxRecord[]> {
  if (drafts.length === 0) return [];
  const { statement, records } = outboxStatement(service, drafts);
  await runner.query(statement.text, statement.values);
  return records;
}

/**
 * The INSERT of `addAllToOutbox` without running it (for runTogether of @switchboard/tenancy:
 * the outbox rows in the statement that writes what they announce). At least one draft.
 */
export function outboxStatement(
  service: string,
  drafts: readonly EventDraft<DescMessage>[],
): { statement: SqlStatement; records: OutboxRecord[] } {
  const rows = drafts.map((draft) => outboxRow(service, draft));
  const values = rows.map((_, i) => {
    const at = i * 6;
    return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6})`;
  });
  return {
    statement: {
      text: `INSERT INTO outbox (event_id, topic, record_key, event_type, payload, headers) VALUES ${values.join(', ')}`,
      values: rows.flatMap((r) => r.parameters),
    },
    records: rows.map((r) => r.record),
  };
}

function outboxRow<S extends DescMessage>(
  service: string,
  draft: EventDraft<S>,
): { record: OutboxRecord; parameters: unknown[] } {
  const schema = draft.topic.schema;
  const message = (
    (draft.event as { $typeName?: string }).$typeName
      ? draft.event
      : create(schema, draft.event as MessageInitShape<S>)
  ) as MessageShape<S>;
  const eventId = draft.id ?? randomUUID();
  const type = draft.type ?? ceTypeOf(draft.topic, message);
  const headers: KafkaHeaders = {
    [Header.specVersion]: CLOUDEVENTS_SPEC_VERSION,
    [Header.id]: eventId,
    [Header.type]: type,
    [Header.source]: ceSource(service),
    [Header.time]: (draft.time ?? new Date()).toISOString(),
    [Header.subject]: draft.subject ?? draft.key,
    [Header.contentType]: PROTOBUF_CONTENT_TYPE,
  };
  if (draft.orgId) headers[Header.orgId] = draft.orgId;
  // By default the event joins the correlation of the request or event being handled.
  const correlationId = draft.correlationId ?? currentRequestContext()?.correlationId;
  if (correlationId) headers[Header.correlationId] = correlationId;
  if (draft.causationId) headers[Header.causationId] = draft.causationId;
  propagation.inject(context.active(), headers);
  return {
    record: { eventId, type },
    parameters: [
      eventId,
      draft.topic.name,
      draft.key,
      type,
      Buffer.from(toBinary(schema, message)),
      JSON.stringify(headers),
    ],
  };
}
