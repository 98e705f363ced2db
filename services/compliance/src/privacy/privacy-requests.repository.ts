import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { affectedRows, row, rows } from '@switchboard/tenancy';
import type { Subject } from '../domain/privacy-request';
import type {
  ExportChunkRecord,
  LegalHoldRecord,
  PrivacyParticipantRecord,
  PrivacyRequestRecord,
} from './privacy-request.record';

interface RequestRow {
  id: string;
  orgId: string;
  kind: PrivacyRequestRecord['kind'];
  subjectKind: Subject['kind'];
  subjectUserId: string | null;
  subjectPhoneNumber: string | null;
  status: PrivacyRequestRecord['status'];
  requestedByType: string;
  requestedById: string;
  requestedAt: Date;
  completedAt: Date | null;
  expiresAt: Date | null;
  lastPublishedAt: Date;
}

const REQUEST_COLUMNS = `id, org_id AS "orgId", kind, subject_kind AS "subjectKind",
  subject_user_id AS "subjectUserId", subject_phone_number AS "subjectPhoneNumber", status,
  requested_by_type AS "requestedByType", requested_by_id AS "requestedById",
  requested_at AS "requestedAt", completed_at AS "completedAt", expires_at AS "expiresAt",
  last_published_at AS "lastPublishedAt"`;

function toRecord(r: RequestRow): PrivacyRequestRecord {
  const subject: Subject =
    r.subjectKind === 'USER'
      ? { kind: 'USER', userId: r.subjectUserId ?? '' }
      : r.subjectKind === 'PHONE_NUMBER'
        ? { kind: 'PHONE_NUMBER', phoneNumber: r.subjectPhoneNumber ?? '' }
        : { kind: 'ORGANIZATION' };
  return {
    id: r.id,
    orgId: r.orgId,
    kind: r.kind,
    subject,
    status: r.status,
    requestedByType: r.requestedByType,
    requestedById: r.requestedById,
    requestedAt: r.requestedAt,
    completedAt: r.completedAt,
    expiresAt: r.expiresAt,
    lastPublishedAt: r.lastPublishedAt,
  };
}

/** SQL of privacy requests, their participants and export chunks (tenant transactions). */
@Injectable()
export class PrivacyRequestsRepository {
  async insert(
    tx: EntityManager,
    request: PrivacyRequestRecord,
    services: readonly string[],
  ): Promise<void> {
    const s = request.subject;
    await tx.query(
      `INSERT INTO privacy_requests (id, org_id, kind, subject_kind, subject_user_id,
         subject_phone_number, status, requested_by_type, requested_by_id, requested_at,
         last_published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
      [
        request.id,
        request.orgId,
        request.kind,
        s.kind,
        s.kind === 'USER' ? s.userId : null,
        s.kind === 'PHONE_NUMBER' ? s.phoneNumber : null,
        request.status,
        request.requestedByType,
        request.requestedById,
        request.requestedAt,
      ],
    );
    await tx.query(
      `INSERT INTO privacy_participants (org_id, request_id, service)
       SELECT $1, $2, unnest($3::text[])`,
      [request.orgId, request.id, services],
    );
  }

  async find(
    tx: EntityManager,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<PrivacyRequestRecord | undefined> {
    const found = await row<RequestRow>(
      tx,
      `SELECT ${REQUEST_COLUMNS} FROM privacy_requests WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return found && toRecord(found);
  }

  async participants(tx: EntityManager, requestId: string): Promise<PrivacyParticipantRecord[]> {
    return rows<PrivacyParticipantRecord>(
      tx,
      `SELECT p.request_id AS "requestId", p.service, p.done_at AS "doneAt", p.chunks,
              p.counts, p.legal_holds AS "legalHolds",
              (SELECT count(*)::int FROM privacy_export_chunks c
                WHERE c.request_id = p.request_id AND c.service = p.service) AS "chunksReceived"
         FROM privacy_participants p WHERE p.request_id = $1 ORDER BY p.service`,
      [requestId],
    );
  }

  /** Stores a chunk once (a chunk sent again is dropped). */
  async addChunk(tx: EntityManager, orgId: string, requestId: string, chunk: ExportChunkRecord) {
    await tx.query(
      `INSERT INTO privacy_export_chunks (org_id, request_id, service, sequence, section, items)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [orgId, requestId, chunk.service, chunk.sequence, chunk.section, chunk.items],
    );
  }

  /** A service's answer: done, with its counts and legal holds (an expected service only). */
  async markDone(
    tx: EntityManager,
    requestId: string,
    service: string,
    answer: {
      chunks: number | null;
      counts: Record<string, number>;
      legalHolds: LegalHoldRecord[];
    },
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE privacy_participants SET done_at = $3, chunks = $4, counts = $5, legal_holds = $6
        WHERE request_id = $1 AND service = $2`,
      [
        requestId,
        service,
        at,
        answer.chunks,
        JSON.stringify(answer.counts),
        JSON.stringify(answer.legalHolds),
      ],
    );
  }

  /** Marks the request completed; false when it already was. */
  async complete(
    tx: EntityManager,
    requestId: string,
    at: Date,
    expiresAt: Date | null,
    maskedPhoneNumber: string | null,
  ): Promise<boolean> {
    const changed = await rows(
      tx,
      `UPDATE privacy_requests SET status = 'COMPLETED', completed_at = $2, expires_at = $3,
              subject_phone_number = COALESCE($4, subject_phone_number)
        WHERE id = $1 AND status = 'PENDING' RETURNING id`,
      [requestId, at, expiresAt, maskedPhoneNumber],
    );
    return changed.length > 0;
  }

  /** Chunks of a request after (service, sequence), in document order; `limit` at most. */
  async chunks(
    tx: EntityManager,
    requestId: string,
    after: { service: string; sequence: number } | null,
    limit: number,
  ): Promise<ExportChunkRecord[]> {
    return rows<ExportChunkRecord>(
      tx,
      `SELECT service, sequence, section, items FROM privacy_export_chunks
        WHERE request_id = $1 AND ($2::text IS NULL OR (service, sequence) > ($2, $3::int))
        ORDER BY service, sequence LIMIT $4`,
      [requestId, after?.service ?? null, after?.sequence ?? null, limit],
    );
  }

  /** Pending requests last published before `before` (to publish again). */
  async stale(tx: EntityManager, before: Date, limit: number): Promise<PrivacyRequestRecord[]> {
    const found = await rows<RequestRow>(
      tx,
      `SELECT ${REQUEST_COLUMNS} FROM privacy_requests
        WHERE status = 'PENDING' AND last_published_at < $1 ORDER BY last_published_at LIMIT $2`,
      [before, limit],
    );
    return found.map(toRecord);
  }

  async published(tx: EntityManager, requestId: string, at: Date): Promise<void> {
    await tx.query(`UPDATE privacy_requests SET last_published_at = $2 WHERE id = $1`, [
      requestId,
      at,
    ]);
  }

  /**
   * After a number's erasure: every stored export document that names it (an export of the
   * number, or another subject's that mentions it) is deleted and its link stops working now;
   * completed requests keep the number masked only. Returns how many chunks went.
   */
  async forgetNumber(
    tx: EntityManager,
    phoneNumber: string,
    masked: string,
    now: Date,
  ): Promise<number> {
    const affected = await rows<{ id: string }>(
      tx,
      `SELECT id FROM privacy_requests WHERE kind = 'EXPORT' AND subject_phone_number = $1
       UNION
       SELECT DISTINCT request_id FROM privacy_export_chunks
        WHERE strpos(array_to_string(items, ' '), $1) > 0`,
      [phoneNumber],
    );
    const ids = affected.map((a) => a.id);
    const chunks = await affectedRows(
      tx,
      `DELETE FROM privacy_export_chunks WHERE request_id = ANY($1::uuid[])`,
      [ids],
    );
    await tx.query(
      `UPDATE privacy_requests SET expires_at = LEAST(expires_at, $2)
        WHERE id = ANY($1::uuid[]) AND status = 'COMPLETED'`,
      [ids, now],
    );
    await tx.query(
      `UPDATE privacy_requests SET subject_phone_number = $2
        WHERE subject_phone_number = $1 AND status = 'COMPLETED'`,
      [phoneNumber, masked],
    );
    return chunks;
  }

  /** Deletes the stored documents of up to `limit` exports whose link expired before `now`. */
  async deleteExpiredDocuments(tx: EntityManager, now: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM privacy_export_chunks WHERE request_id IN (
         SELECT r.id FROM privacy_requests r
          WHERE r.kind = 'EXPORT' AND r.expires_at < $1
            AND EXISTS (SELECT 1 FROM privacy_export_chunks c WHERE c.request_id = r.id)
          LIMIT $2)`,
      [now, limit],
    );
  }
}
