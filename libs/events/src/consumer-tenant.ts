import type { EntityManager } from 'typeorm';

/**
 * The tenant EventConsumer set on a handler's fresh transaction (its first statement), until the
 * handler's first `enterEventTenant` takes it instead of setting it again (one round trip less
 * per consumed event). One-shot: a later call — another handler of the same event, which may
 * have changed the tenant meanwhile — sets it again.
 */
const enteredByConsumer = new WeakMap<EntityManager, string>();

/** EventConsumer has just set `orgId` (lower case) as `tx`'s tenant. */
export function markConsumerTenant(tx: EntityManager, orgId: string): void {
  enteredByConsumer.set(tx, orgId);
}

/** True (and forgotten) when the consumer set exactly `orgId` on `tx` and nothing took it yet. */
export function takeConsumerTenant(tx: EntityManager, orgId: string): boolean {
  if (enteredByConsumer.get(tx) !== orgId) return false;
  enteredByConsumer.delete(tx);
  return true;
}
