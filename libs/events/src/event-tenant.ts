import type { EntityManager } from 'typeorm';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { isUuid, setTenant } from '@switchboard/tenancy';
import type { ConsumedEvent } from './event-consumer';
import { takeConsumerTenant } from './consumer-tenant';
import { Header } from './headers';

type EventFacts = Pick<ConsumedEvent, 'orgId' | 'id' | 'topic'>;

function invalid(event: EventFacts, why: string): CommonException {
  return new CommonException(
    CommonErrorCode.INVALID_EVENT,
    `${event.topic} event ${event.id}: ${why}`,
  );
}

/**
 * The tenant of a consumed event, by the one rule every consumer follows: it is the envelope's
 * `ce_orgid` (ConsumedEvent.orgId, which the producer's outbox set from the transaction that
 * wrote the event), never the payload's. A payload organization that disagrees with it, or a
 * tenant event without `ce_orgid`, is a poison message: INVALID_EVENT, which the consumer
 * dead-letters (applied to no tenant, never retried).
 *
 * `payloadOrgId` is the payload's own organization field, when the message has one.
 */
export function eventTenant(event: EventFacts, payloadOrgId?: string): string {
  const orgId = event.orgId?.toLowerCase();
  if (!orgId) throw invalid(event, `no ${Header.orgId} on a tenant event`);
  if (!isUuid(orgId)) throw invalid(event, `${Header.orgId} is not a uuid`);
  if (payloadOrgId !== undefined && payloadOrgId.toLowerCase() !== orgId) {
    throw invalid(event, 'payload and envelope name different organizations');
  }
  return orgId;
}

/**
 * Enters the event's tenant (see {@link eventTenant}) on the consumer's transaction, so
 * row-level security applies to everything the handler does through `tx`, and returns it.
 * Every tenant-scoped `@OnEvent` handler calls this first.
 */
export async function enterEventTenant(
  tx: EntityManager,
  event: EventFacts,
  payloadOrgId?: string,
): Promise<string> {
  const orgId = eventTenant(event, payloadOrgId);
  // The consumer entered the envelope's tenant just before the handler ran: no second round trip.
  if (!takeConsumerTenant(tx, orgId)) await setTenant(tx, orgId);
  return orgId;
}

/**
 * For consumers of platform-level events that may or may not belong to a tenant (e.g. a mail
 * request): the tenant when the event has one, else undefined. An empty payload organization
 * (protobuf's default) means none. A payload organization that contradicts the envelope is
 * still a poison message, and so is a payload organization on an event without `ce_orgid`.
 */
export function optionalEventTenant(event: EventFacts, payloadOrgId?: string): string | undefined {
  const payload = payloadOrgId || undefined;
  if (!event.orgId && !payload) return undefined;
  return eventTenant(event, payload);
}
