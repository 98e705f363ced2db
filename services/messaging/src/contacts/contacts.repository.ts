import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { KeysetPosition } from '@switchboard/service-kit';
import { affectedRows, row, rows } from '@switchboard/tenancy';
import type { ContactDraft } from '../domain/contact-import';
import type { ContactRecord, ExistingContact } from './contact.record';

type Row = Record<string, unknown>;

const SELECT = `SELECT c.*, (extract(epoch FROM c.created_at) * 1000000)::bigint::text AS created_micros
  FROM contacts c`;

const toContact = (r: Row): ContactRecord => {
  const hasOptIn =
    r.opt_in_source != null || r.opt_in_ip != null || r.opt_in_at != null || r.opt_in_text != null;
  return {
    id: r.id as string,
    orgId: r.org_id as string,
    phoneNumber: r.phone_number as string,
    name: (r.name as string | null) ?? null,
    attributes: (r.attributes as Record<string, string>) ?? {},
    optIn: hasOptIn
      ? {
          source: (r.opt_in_source as string | null) ?? null,
          ip: (r.opt_in_ip as string | null) ?? null,
          at: (r.opt_in_at as Date | null) ?? null,
          text: (r.opt_in_text as string | null) ?? null,
        }
      : null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    createdMicros: r.created_micros as string,
  };
};

/** A contact of an import batch: the draft, its new id (used only if it is new), its row. */
export interface ImportedContact {
  id: string;
  row: number;
  draft: ContactDraft;
}

/** What the upsert of an import batch did to one number. */
export interface UpsertedContact {
  id: string;
  /** A new contact (else an existing one updated). */
  inserted: boolean;
  /** The import row the contact now names (this import's first row for the number). */
  lastImportRow: number | null;
}

/** All SQL of contacts. */
@Injectable()
export class ContactsRepository {
  async insert(
    tx: EntityManager,
    orgId: string,
    id: string,
    draft: ContactDraft,
    now: Date,
  ): Promise<ContactRecord | undefined> {
    const r = await row<Row>(
      tx,
      `WITH inserted AS (
         INSERT INTO contacts (id, org_id, phone_number, name, attributes, opt_in_source, opt_in_ip,
                               opt_in_at, opt_in_text, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (org_id, phone_number) DO NOTHING RETURNING *)
       SELECT c.*, (extract(epoch FROM c.created_at) * 1000000)::bigint::text AS created_micros
         FROM inserted c`,
      [
        id,
        orgId,
        draft.phoneNumber,
        draft.name,
        JSON.stringify(draft.attributes),
        draft.optIn?.source ?? null,
        draft.optIn?.ip ?? null,
        draft.optIn?.at ?? null,
        draft.optIn?.text ?? null,
        now,
      ],
    );
    return r && toContact(r);
  }

  async findById(tx: EntityManager, id: string, lock = false): Promise<ContactRecord | undefined> {
    const r = await row<Row>(tx, `${SELECT} WHERE c.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return r && toContact(r);
  }

  async findByIds(tx: EntityManager, ids: string[]): Promise<ContactRecord[]> {
    return (await rows<Row>(tx, `${SELECT} WHERE c.id = ANY($1::uuid[])`, [ids])).map(toContact);
  }

  /** Replaces the contact's fields (the service merged the patch). */
  async update(
    tx: EntityManager,
    id: string,
    fields: Omit<ContactDraft, 'phoneNumber'>,
    now: Date,
  ): Promise<ContactRecord | undefined> {
    const r = await row<Row>(
      tx,
      `WITH updated AS (
         UPDATE contacts SET name = $2, attributes = $3::jsonb, opt_in_source = $4, opt_in_ip = $5,
                opt_in_at = $6, opt_in_text = $7, updated_at = $8
          WHERE id = $1 RETURNING *)
       SELECT c.*, (extract(epoch FROM c.created_at) * 1000000)::bigint::text AS created_micros
         FROM updated c`,
      [
        id,
        fields.name,
        JSON.stringify(fields.attributes),
        fields.optIn?.source ?? null,
        fields.optIn?.ip ?? null,
        fields.optIn?.at ?? null,
        fields.optIn?.text ?? null,
        now,
      ],
    );
    return r && toContact(r);
  }

  async delete(tx: EntityManager, id: string): Promise<boolean> {
    return (await affectedRows(tx, `DELETE FROM contacts WHERE id = $1`, [id])) > 0;
  }

  /** Newest first, keyset-paginated on (created_at, id); `phoneNumber` narrows to one. */
  async page(
    tx: EntityManager,
    filter: { phoneNumber?: string; attributes?: Record<string, string> },
    limit: number,
    after?: KeysetPosition,
  ): Promise<ContactRecord[]> {
    const params: unknown[] = [limit];
    const where: string[] = [];
    if (filter.phoneNumber) {
      params.push(filter.phoneNumber);
      where.push(`c.phone_number = $${params.length}`);
    }
    if (filter.attributes) {
      params.push(JSON.stringify(filter.attributes));
      where.push(`c.attributes @> $${params.length}::jsonb`);
    }
    if (after) {
      params.push(after.micros, after.id);
      where.push(
        `(c.created_at, c.id) < (to_timestamp($${params.length - 1}::bigint / 1000000.0), $${params.length}::uuid)`,
      );
    }
    return (
      await rows<Row>(
        tx,
        `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY c.created_at DESC, c.id DESC LIMIT $1`,
        params,
      )
    ).map(toContact);
  }

  /**
   * Which of `numbers` are opted out in the suppression projection (compliance's state as
   * messaging last saw it): an import asks no consent for them.
   */
  async optedOutAmong(tx: EntityManager, numbers: string[]): Promise<Set<string>> {
    const found = await rows<{ phone_number: string }>(
      tx,
      `SELECT phone_number FROM suppression_states WHERE phone_number = ANY($1::text[]) AND opted_out`,
      [numbers],
    );
    return new Set(found.map((r) => r.phone_number));
  }

  /** The batch's numbers that exist, locked until the batch commits. */
  async lockExisting(tx: EntityManager, numbers: string[]): Promise<ExistingContact[]> {
    const found = await rows<Row>(
      tx,
      `SELECT id, phone_number, attributes, last_import_id, last_import_row FROM contacts
        WHERE phone_number = ANY($1::text[]) ORDER BY phone_number FOR UPDATE`,
      [numbers],
    );
    return found.map((r) => ({
      id: r.id as string,
      phoneNumber: r.phone_number as string,
      attributes: (r.attributes as Record<string, string>) ?? {},
      lastImportId: (r.last_import_id as string | null) ?? null,
      lastImportRow: r.last_import_row == null ? null : Number(r.last_import_row),
    }));
  }

  /**
   * One multi-row upsert of an import batch (numbers distinct): new numbers are inserted, known
   * ones get the row's non-empty cells (attributes merged, the opt-in evidence replaced when
   * the row has some). Returns, per number, its contact id, whether it is new, and the row of
   * this import it names (an earlier one: the row was a duplicate of it).
   */
  async upsertImported(
    tx: EntityManager,
    orgId: string,
    importId: string,
    contacts: ImportedContact[],
    now: Date,
  ): Promise<Map<string, UpsertedContact>> {
    const col = <T>(pick: (c: ImportedContact) => T) => contacts.map(pick);
    const written = await rows<Row>(
      tx,
      `INSERT INTO contacts (id, org_id, phone_number, name, attributes, opt_in_source, opt_in_ip,
                             opt_in_at, opt_in_text, last_import_id, last_import_row, created_at, updated_at)
       SELECT u.id, $1, u.phone, u.name, u.attributes::jsonb, u.source, u.ip, u.at, u.text, $2, u.row, $3, $3
         FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::timestamptz[], $11::text[], $12::bigint[])
           AS u (id, phone, name, attributes, source, ip, at, text, row)
       ON CONFLICT (org_id, phone_number) DO UPDATE SET
         name = COALESCE(EXCLUDED.name, contacts.name),
         attributes = contacts.attributes || EXCLUDED.attributes,
         opt_in_source = CASE WHEN ${HAS_OPT_IN} THEN EXCLUDED.opt_in_source ELSE contacts.opt_in_source END,
         opt_in_ip = CASE WHEN ${HAS_OPT_IN} THEN EXCLUDED.opt_in_ip ELSE contacts.opt_in_ip END,
         opt_in_at = CASE WHEN ${HAS_OPT_IN} THEN EXCLUDED.opt_in_at ELSE contacts.opt_in_at END,
         opt_in_text = CASE WHEN ${HAS_OPT_IN} THEN EXCLUDED.opt_in_text ELSE contacts.opt_in_text END,
         last_import_id = EXCLUDED.last_import_id,
         last_import_row = CASE WHEN contacts.last_import_id = EXCLUDED.last_import_id
                                THEN contacts.last_import_row ELSE EXCLUDED.last_import_row END,
         updated_at = EXCLUDED.updated_at
       RETURNING id, phone_number, (xmax = 0) AS inserted, last_import_row`,
      [
        orgId,
        importId,
        now,
        col((c) => c.id),
        col((c) => c.draft.phoneNumber),
        col((c) => c.draft.name),
        col((c) => JSON.stringify(c.draft.attributes)),
        col((c) => c.draft.optIn?.source ?? null),
        col((c) => c.draft.optIn?.ip ?? null),
        col((c) => c.draft.optIn?.at ?? null),
        col((c) => c.draft.optIn?.text ?? null),
        col((c) => c.row),
      ],
    );
    return new Map(
      written.map((r) => [
        r.phone_number as string,
        {
          id: r.id as string,
          inserted: r.inserted === true,
          lastImportRow: r.last_import_row == null ? null : Number(r.last_import_row),
        },
      ]),
    );
  }
}

const HAS_OPT_IN = `(EXCLUDED.opt_in_source IS NOT NULL OR EXCLUDED.opt_in_ip IS NOT NULL
  OR EXCLUDED.opt_in_at IS NOT NULL OR EXCLUDED.opt_in_text IS NOT NULL)`;
