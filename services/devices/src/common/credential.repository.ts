import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@switchboard/events';
import { CREDENTIAL_SETTING } from './credential-setting';
import type { CredentialMatch } from './credential.record';

/**
 * SQL of `credentials`: token hash → device or enrollment token and its organization, found
 * before the tenant is known (see the migration's credential_holder policy).
 */
@Injectable()
export class CredentialRepository {
  /**
   * Finds a credential by its token hash, before any tenant is known: the lookup sets the
   * hash as `app.credential_hash`, which is what the credential_holder policy admits (see the
   * migration). Must run inside a transaction (the setting is transaction-local).
   */
  async find(
    tx: SqlRunner,
    hash: Buffer,
    kind: 'enrollment' | 'device',
  ): Promise<CredentialMatch | undefined> {
    await tx.query(`SELECT set_config('${CREDENTIAL_SETTING}', $1, true)`, [hash.toString('hex')]);
    const found = (await tx.query(
      `SELECT org_id AS "orgId", subject_id AS "subjectId", expires_at AS "expiresAt"
         FROM credentials WHERE token_hash = $1 AND kind = $2`,
      [hash, kind],
    )) as CredentialMatch[];
    return found[0];
  }

  async add(
    tx: SqlRunner,
    orgId: string,
    hash: Buffer,
    kind: 'enrollment' | 'device',
    subjectId: string,
    expiresAt: Date | null,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO credentials (org_id, token_hash, kind, subject_id, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [orgId, hash, kind, subjectId, expiresAt],
    );
  }

  async delete(tx: SqlRunner, subjectId: string): Promise<void> {
    await tx.query(`DELETE FROM credentials WHERE subject_id = $1`, [subjectId]);
  }
}
