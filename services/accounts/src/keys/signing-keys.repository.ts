import type { JWK } from 'jose';
import { row, rows } from '@switchboard/tenancy';
import type { Tx } from '../common/db-context';

/** A row of `signing_keys` (the private half encrypted, see key-encryption.ts). */
export interface KeyRow {
  kid: string;
  public_jwk: JWK;
  private_key_encrypted: Buffer;
  active_from: Date;
  retired_at: Date | null;
}

type Runner = Pick<Tx, 'query'>;

/** Serializes key changes across replicas (a transaction-scoped advisory lock). */
const KEY_LOCK = 0x5b_ac_c0_01;

/** All SQL of the signing keys (`signing_keys`, a global table). */
export class SigningKeysRepository {
  /** Holds the key lock until the transaction ends. */
  async lock(tx: Runner): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
  }

  async hasUsableKey(tx: Runner, now: Date): Promise<boolean> {
    const usable = await row(
      tx,
      `SELECT kid FROM signing_keys WHERE active_from <= $1 AND (retired_at IS NULL OR retired_at > $1) LIMIT 1`,
      [now],
    );
    return Boolean(usable);
  }

  /** Retires every key still signing at `at`; returns their kids. */
  async retireFrom(tx: Runner, at: Date): Promise<string[]> {
    const retired = await rows<{ kid: string }>(
      tx,
      `UPDATE signing_keys SET retired_at = $1
        WHERE retired_at IS NULL OR retired_at > $1 RETURNING kid`,
      [at],
    );
    return retired.map((r) => r.kid);
  }

  /** Deletes keys retired before `before` (no token can carry them any more). */
  async deleteRetiredBefore(tx: Runner, before: Date): Promise<void> {
    await tx.query(`DELETE FROM signing_keys WHERE retired_at < $1`, [before]);
  }

  async all(tx: Runner): Promise<KeyRow[]> {
    return rows<KeyRow>(
      tx,
      `SELECT kid, public_jwk, private_key_encrypted, active_from, retired_at
         FROM signing_keys ORDER BY active_from`,
    );
  }

  async insert(
    tx: Runner,
    key: {
      kid: string;
      publicJwk: unknown;
      privateKeyEncrypted: unknown;
      createdAt: Date;
      activeFrom: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key_encrypted, created_at, active_from)
       VALUES ($1, 'RS256', $2, $3, $4, $5)`,
      [
        key.kid,
        JSON.stringify(key.publicJwk),
        key.privateKeyEncrypted,
        key.createdAt,
        key.activeFrom,
      ],
    );
  }
}
