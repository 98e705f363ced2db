import type { EntityManager } from 'typeorm';
import type { ConsumedEvent } from '@switchboard/events';
import { isUuid, setTenant } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../messages/messages.exception';

/**
 * Sets the tenant of a consumed event's transaction from its payload's organization, which
 * must agree with the envelope's (`ce_orgid`) when there is one. A contradiction is a bad
 * event: dead-lettered, never applied to either tenant.
 */
export async function enterEventTenant(
  tx: EntityManager,
  event: Pick<ConsumedEvent, 'orgId' | 'id' | 'topic'>,
  payloadOrgId: string,
): Promise<string> {
  const orgId = payloadOrgId.toLowerCase();
  if (!isUuid(orgId)) {
    throw new MessagingException(
      MessagingErrorCode.INVALID_EVENT,
      `${event.topic} event ${event.id}: org_id is not a uuid`,
    );
  }
  if (event.orgId && event.orgId.toLowerCase() !== orgId) {
    throw new MessagingException(
      MessagingErrorCode.INVALID_EVENT,
      `${event.topic} event ${event.id}: payload and envelope name different organizations`,
    );
  }
  await setTenant(tx, orgId);
  return orgId;
}
