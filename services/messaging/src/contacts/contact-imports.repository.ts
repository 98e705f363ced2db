import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { row, rows } from '@switchboard/tenancy';
import type { ImportRowProblem, ImportRowReason } from '../domain/contact-import';
import type {
  ContactImportRecord,
  ContactImportStatus,
  ImportProgress,
} from './contact-import.record';

type Row = Record<string, unknown>;

const toImport = (r: Row): ContactImportRecord => ({
  id: r.id as string,
  orgId: r.org_id as string,
  listId: (r.list_id as string | null) ?? null,
  status: r.status as ContactImportStatus,
  defaultCountry: r.default_country as string,
  rowsRead: Number(r.rows_read),
  rowsAccepted: Number(r.rows_accepted),
  rowsRejected: Number(r.rows_rejected),
  rowsDuplicate: Number(r.rows_duplicate),
  contactsCreated: Number(r.contacts_created),
  contactsUpdated: Number(r.contacts_updated),
  failure: (r.failure as string | null) ?? null,
  uploadExpiresAt: r.upload_expires_at as Date,
  createdAt: r.created_at as Date,
  startedAt: (r.started_at as Date | null) ?? null,
  finishedAt: (r.finished_at as Date | null) ?? null,
});

/** All SQL of contact imports: the import row, its counters, its report. */
@Injectable()
export class ContactImportsRepository {
  async insert(
    tx: EntityManager,
    i: Pick<ContactImportRecord, 'id' | 'orgId' | 'listId' | 'defaultCountry' | 'uploadExpiresAt'>,
    now: Date,
  ): Promise<ContactImportRecord> {
    const r = await row<Row>(
      tx,
      `INSERT INTO contact_imports (id, org_id, list_id, status, default_country, upload_expires_at, created_at)
       VALUES ($1, $2, $3, 'AWAITING_UPLOAD', $4, $5, $6) RETURNING *`,
      [i.id, i.orgId, i.listId, i.defaultCountry, i.uploadExpiresAt, now],
    );
    return toImport(r!);
  }

  async find(
    tx: EntityManager,
    id: string,
    lock = false,
  ): Promise<ContactImportRecord | undefined> {
    const r = await row<Row>(
      tx,
      `SELECT * FROM contact_imports WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r && toImport(r);
  }

  async start(tx: EntityManager, id: string, now: Date): Promise<void> {
    await tx.query(`UPDATE contact_imports SET status = 'RUNNING', started_at = $2 WHERE id = $1`, [
      id,
      now,
    ]);
  }

  async finish(
    tx: EntityManager,
    id: string,
    status: 'COMPLETED' | 'FAILED',
    failure: string | null,
    now: Date,
  ): Promise<ContactImportRecord> {
    const r = await row<Row>(
      tx,
      `UPDATE contact_imports SET status = $2, failure = $3, finished_at = $4 WHERE id = $1 RETURNING *`,
      [id, status, failure, now],
    );
    return toImport(r!);
  }

  async addProgress(tx: EntityManager, id: string, p: ImportProgress): Promise<void> {
    await tx.query(
      `UPDATE contact_imports SET rows_read = rows_read + $2, rows_accepted = rows_accepted + $3,
              rows_rejected = rows_rejected + $4, rows_duplicate = rows_duplicate + $5,
              contacts_created = contacts_created + $6, contacts_updated = contacts_updated + $7
        WHERE id = $1`,
      [
        id,
        p.rowsRead,
        p.rowsAccepted,
        p.rowsRejected,
        p.rowsDuplicate,
        p.contactsCreated,
        p.contactsUpdated,
      ],
    );
  }

  /** The report's rows of a batch (one multi-row insert). */
  async insertErrors(
    tx: EntityManager,
    orgId: string,
    importId: string,
    problems: ImportRowProblem[],
  ): Promise<void> {
    if (problems.length === 0) return;
    const seqs = new Map<number, number>();
    const seq = problems.map((p) => {
      const next = (seqs.get(p.row) ?? 0) + 1;
      seqs.set(p.row, next);
      return next;
    });
    await tx.query(
      `INSERT INTO contact_import_errors (org_id, import_id, row_number, seq, column_name, reason, detail)
       SELECT $1, $2, u.row, u.seq, u.col, u.reason, u.detail
         FROM unnest($3::bigint[], $4::int[], $5::text[], $6::text[], $7::text[])
           AS u (row, seq, col, reason, detail)
       ON CONFLICT DO NOTHING`,
      [
        orgId,
        importId,
        problems.map((p) => p.row),
        seq,
        problems.map((p) => p.column),
        problems.map((p) => p.reason),
        problems.map((p) => p.detail),
      ],
    );
  }

  /** One page of the report, in row order (keyset on row number and seq). */
  async errors(
    tx: EntityManager,
    importId: string,
    limit: number,
    after?: { row: number; seq: number },
  ): Promise<Array<ImportRowProblem & { seq: number }>> {
    const found = await rows<Row>(
      tx,
      `SELECT row_number, seq, column_name, reason, detail FROM contact_import_errors
        WHERE import_id = $1 AND (row_number, seq) > ($2, $3)
        ORDER BY row_number, seq LIMIT $4`,
      [importId, after?.row ?? 0, after?.seq ?? 0, limit],
    );
    return found.map((r) => ({
      row: Number(r.row_number),
      seq: Number(r.seq),
      column: (r.column_name as string | null) ?? null,
      reason: r.reason as ImportRowReason,
      detail: r.detail as string,
    }));
  }
}
