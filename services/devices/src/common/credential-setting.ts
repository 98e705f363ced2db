/**
 * The transaction-local setting a credential lookup puts the presented token's SHA-256 (hex)
 * in; the `credential_holder` policy of `credentials` shows the matching row to that
 * transaction only (migration 1720000000000-fleet).
 */
export const CREDENTIAL_SETTING = 'app.credential_hash';
