import type { EntityManager } from 'typeorm';
import type { accountsV1 } from '@switchboard/contracts';
import type { ConsumedEvent } from './event-consumer';
import { enterEventTenant } from './event-tenant';

/**
 * What a service does when accounts.organization.v1 reports a step of an organization's life.
 * Each method runs in the consumer's transaction, inside the organization's tenant.
 */
export interface OrganizationLifecycle {
  /** Created or updated (services that keep the name); optional. */
  register?(
    tx: EntityManager,
    orgId: string,
    organization: { name: string; slug: string },
  ): Promise<unknown>;
  /** Deletion scheduled: stop working for it. */
  close(tx: EntityManager, orgId: string): Promise<unknown>;
  /** Deletion canceled. */
  reopen(tx: EntityManager, orgId: string): Promise<unknown>;
  /** Deleted: remove its rows. */
  purge(tx: EntityManager, orgId: string): Promise<unknown>;
}

/**
 * The body of every service's accounts.organization.v1 handler: enters the event's tenant,
 * then calls the one lifecycle step the event names (other events concern the service not).
 */
export async function applyOrganizationEvent(
  tx: EntityManager,
  event: ConsumedEvent<typeof accountsV1.OrganizationEventSchema>,
  lifecycle: OrganizationLifecycle,
): Promise<void> {
  const orgId = await enterEventTenant(tx, event, event.message.orgId);
  const change = event.message.event;
  switch (change.case) {
    case 'created':
    case 'updated':
      await lifecycle.register?.(tx, orgId, {
        name: change.value.organization?.name ?? '',
        slug: change.value.organization?.slug ?? '',
      });
      return;
    case 'deletionScheduled':
      await lifecycle.close(tx, orgId);
      return;
    case 'deletionCanceled':
      await lifecycle.reopen(tx, orgId);
      return;
    case 'deleted':
      await lifecycle.purge(tx, orgId);
      return;
    default:
      return;
  }
}
