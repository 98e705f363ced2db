import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { affectedRows, row, rows } from '@switchboard/tenancy';
import type { SuppressionSnapshot } from '../domain/suppression';

/** Which rows a request concerns in compliance's own tables. */
export type ComplianceScope =
  { phoneNumber: string } | { actorId: string } | { organization: true };

/** History kinds erased with a number: consent evidence and HELP requests (not opt-outs). */
const ERASABLE_KINDS = ['CONSENT_GRANTED', 'CONSENT_WITHDRAWN', 'HELP'];

/** SQL of compliance's part of privacy requests (the tenant's transaction). */
@Injectable()
export class CompliancePrivacyRepository {
  /** Current states (numbers), by number, after `after`. */
  async suppressions(
    tx: EntityManager,
    scope: ComplianceScope,
    after: string | null,
    limit: number,
  ): Promise<({ phoneNumber: string } & Record<string, unknown>)[]> {
    if ('actorId' in scope) return [];
    return rows(
      tx,
      `SELECT phone_number AS "phoneNumber", opted_out AS "optedOut",
              opted_out_changed_at AS "optedOutChangedAt", opt_out_source AS "optOutSource",
              consent, consent_changed_at AS "consentChangedAt", consent_source AS "consentSource",
              dnd, updated_at AS "updatedAt"
         FROM suppressions
        WHERE ($1::text IS NULL OR phone_number = $1) AND ($2::text IS NULL OR phone_number > $2)
        ORDER BY phone_number LIMIT $3`,
      ['phoneNumber' in scope ? scope.phoneNumber : null, after, limit],
    );
  }

  /** History entries (of the number, by the user, or all), oldest first, after `after` (id). */
  async history(
    tx: EntityManager,
    scope: ComplianceScope,
    after: { recordedAt: string; id: string } | null,
    limit: number,
  ): Promise<({ id: string; cursorAt: string } & Record<string, unknown>)[]> {
    return rows(
      tx,
      `SELECT id, recorded_at::text AS "cursorAt", phone_number AS "phoneNumber", kind, source, actor_type AS "actorType",
              actor_id AS "actorId", reason, keyword, message_id AS "messageId", ip::text AS ip,
              consent_text AS "consentText", occurred_at AS "occurredAt", recorded_at AS "recordedAt"
         FROM suppression_history
        WHERE ($1::text IS NULL OR phone_number = $1) AND ($2::text IS NULL OR actor_id = $2)
          AND ($3::timestamptz IS NULL OR (recorded_at, id) > ($3, $4::uuid))
        ORDER BY recorded_at, id LIMIT $5`,
      [
        'phoneNumber' in scope ? scope.phoneNumber : null,
        'actorId' in scope ? scope.actorId : null,
        after?.recordedAt ?? null,
        after?.id ?? null,
        limit,
      ],
    );
  }

  /** Deletes up to `limit` erasable history entries of the number (or, `all`, every entry). */
  async deleteHistory(
    tx: EntityManager,
    phoneNumber: string,
    limit: number,
    all = false,
  ): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM suppression_history WHERE id IN (
         SELECT id FROM suppression_history
          WHERE phone_number = $1 AND ($2 OR kind = ANY($3::text[])) LIMIT $4)`,
      [phoneNumber, all, ERASABLE_KINDS, limit],
    );
  }

  async state(tx: EntityManager, phoneNumber: string): Promise<SuppressionSnapshot | undefined> {
    return row<SuppressionSnapshot>(
      tx,
      `SELECT opted_out AS "optedOut", opted_out_changed_at AS "optedOutChangedAt",
              opt_out_source AS "optOutSource", consent, consent_changed_at AS "consentChangedAt",
              consent_source AS "consentSource", dnd, version::int AS version
         FROM suppressions WHERE phone_number = $1 FOR UPDATE`,
      [phoneNumber],
    );
  }

  /** Clears the number's consent (a new version); returns the new state. */
  async clearConsent(
    tx: EntityManager,
    phoneNumber: string,
    at: Date,
  ): Promise<SuppressionSnapshot> {
    const updated = await row<SuppressionSnapshot>(
      tx,
      `UPDATE suppressions SET consent = false, consent_changed_at = NULL, consent_source = NULL,
              version = version + 1, updated_at = $2
        WHERE phone_number = $1
        RETURNING opted_out AS "optedOut", opted_out_changed_at AS "optedOutChangedAt",
              opt_out_source AS "optOutSource", consent, consent_changed_at AS "consentChangedAt",
              consent_source AS "consentSource", dnd, version::int AS version`,
      [phoneNumber, at],
    );
    return updated!;
  }

  async deleteState(tx: EntityManager, phoneNumber: string): Promise<void> {
    await tx.query(`DELETE FROM suppressions WHERE phone_number = $1`, [phoneNumber]);
  }

  /** History entries kept for the number (opt-outs, DND). */
  async keptHistory(tx: EntityManager, phoneNumber: string): Promise<number> {
    const found = await row<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM suppression_history WHERE phone_number = $1`,
      [phoneNumber],
    );
    return found?.n ?? 0;
  }

  /** History entries a user made (kept: who changed an opt-out is part of the record). */
  async entriesBy(tx: EntityManager, actorId: string): Promise<number> {
    const found = await row<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM suppression_history WHERE actor_id = $1`,
      [actorId],
    );
    return found?.n ?? 0;
  }
}
