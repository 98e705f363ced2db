import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { affectedRows, rows } from '@switchboard/tenancy';

/** Which rows a request concerns: a phone number, a user, or the whole organization. */
export type DevicesScope = { phoneNumber: string } | { userId: string } | { organization: true };

export interface ExportedRow {
  id: string;
  /** created_at as PostgreSQL prints it (microseconds kept): the keyset of the next page. */
  cursorAt: string;
  [column: string]: unknown;
}

type After = { createdAt: string; id: string } | null;

/** SQL of the devices' part of privacy requests (the tenant's transaction). */
@Injectable()
export class DevicesPrivacyRepository {
  /** Dispatch attempts (to the number, or all), oldest first, after the keyset. */
  async deviceMessages(tx: EntityManager, scope: DevicesScope, after: After, limit: number) {
    if ('userId' in scope) return [];
    return rows<ExportedRow>(
      tx,
      `SELECT id, created_at::text AS "cursorAt", message_id AS "messageId", attempt,
              device_id AS "deviceId", state, to_e164 AS "to", body, segments,
              sim_number AS "simNumber", error_code AS "errorCode", created_at AS "createdAt",
              sent_at AS "sentAt", delivered_at AS "deliveredAt", failed_at AS "failedAt",
              body_redacted_at AS "bodyRedactedAt"
         FROM device_messages
        WHERE ($1::text IS NULL OR to_e164 = $1)
          AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [
        'phoneNumber' in scope ? scope.phoneNumber : null,
        after?.createdAt ?? null,
        after?.id ?? null,
        limit,
      ],
    );
  }

  /** The organization's devices (phones), with masked SIM numbers. */
  async devices(tx: EntityManager, scope: DevicesScope, after: After, limit: number) {
    if (!('organization' in scope)) return [];
    return rows<ExportedRow>(
      tx,
      `SELECT d.id, d.created_at::text AS "cursorAt", d.name, d.manufacturer, d.model,
              d.app_version AS "appVersion", d.enabled, d.created_at AS "createdAt",
              d.last_seen_at AS "lastSeenAt", d.removed_at AS "removedAt",
              COALESCE((SELECT json_agg(json_build_object('slot', s.slot, 'carrier', s.carrier_name,
                 'maskedNumber', s.masked_number) ORDER BY s.slot) FROM sims s WHERE s.device_id = d.id), '[]') AS sims
         FROM devices d
        WHERE ($1::timestamptz IS NULL OR (d.created_at, d.id) > ($1, $2::uuid))
        ORDER BY d.created_at, d.id LIMIT $3`,
      [after?.createdAt ?? null, after?.id ?? null, limit],
    );
  }

  /** Enrollment tokens the user created (or all of the organization's): never the secret. */
  async enrollments(tx: EntityManager, scope: DevicesScope, after: After, limit: number) {
    if ('phoneNumber' in scope) return [];
    return rows<ExportedRow>(
      tx,
      `SELECT id, created_at::text AS "cursorAt", name, created_by AS "createdBy",
              created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt",
              uses
         FROM enrollment_tokens
        WHERE ($1::text IS NULL OR created_by = $1)
          AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      ['userId' in scope ? scope.userId : null, after?.createdAt ?? null, after?.id ?? null, limit],
    );
  }

  /** Up to `limit` attempts to the number: body emptied, number replaced by the pseudonym. */
  async eraseDeviceMessages(
    tx: EntityManager,
    phoneNumber: string,
    pseudonym: string,
    at: Date,
    limit: number,
  ): Promise<number> {
    return affectedRows(
      tx,
      `UPDATE device_messages SET body = '', to_e164 = $2,
              body_redacted_at = COALESCE(body_redacted_at, $3)
        WHERE id IN (SELECT id FROM device_messages WHERE to_e164 = $1 LIMIT $4)`,
      [phoneNumber, pseudonym, at, limit],
    );
  }

  /** Up to `limit` enrollment tokens the user created: the author replaced by the pseudonym. */
  async eraseEnrollmentAuthor(
    tx: EntityManager,
    userId: string,
    pseudonym: string,
    limit: number,
  ): Promise<number> {
    return affectedRows(
      tx,
      `UPDATE enrollment_tokens SET created_by = $2
        WHERE id IN (SELECT id FROM enrollment_tokens WHERE created_by = $1 LIMIT $3)`,
      [userId, pseudonym, limit],
    );
  }
}
