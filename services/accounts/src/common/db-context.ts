import type { EntityManager } from 'typeorm';
import { setRlsSetting, type RlsSettings } from '@switchboard/tenancy';

/**
 * Row-level security settings of the accounts database besides the tenant (`app.org_id`, see
 * libs/tenancy). Both are transaction-local, like the tenant, and set only by this service:
 *
 * - `app.user_id`: the authenticated user; policies `user_self` show that user's memberships,
 *   sessions and refresh tokens in every organization.
 * - `app.token_hash`: the SHA-256 of a secret the caller presented; policies `by_token_hash`
 *   show the one refresh token, API token or invitation with that hash.
 *
 * Transactions: `inTenantTransaction(dataSource, orgId, work)` when the organization is known,
 * `inGlobalTransaction(dataSource, work, settings)` otherwise (global tables, a sign-up, a
 * token lookup that finds the organization and then enters it) — both from libs/tenancy.
 */
export const USER_SETTING = 'app.user_id';
export const TOKEN_HASH_SETTING = 'app.token_hash';

/** Anything that runs SQL in a transaction (the EntityManager of those transactions). */
export type Tx = EntityManager;

/** The settings of a transaction that sees the user's own rows in every organization. */
export const asUser = (userId: string): RlsSettings => ({ [USER_SETTING]: userId });

/** The settings of a transaction that sees the one row whose secret hashes to `hash`. */
export const byTokenHash = (hash: string): RlsSettings => ({ [TOKEN_HASH_SETTING]: hash });

/** Sets the user in a transaction that learned it on the way (a consumed reset link). */
export async function setUser(tx: Tx, userId: string): Promise<void> {
  await setRlsSetting(tx, USER_SETTING, userId);
}
