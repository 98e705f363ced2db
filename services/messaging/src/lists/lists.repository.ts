import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { KeysetPosition } from '@switchboard/service-kit';
import { affectedRows, row, rows } from '@switchboard/tenancy';
import type { SegmentFilter } from '../domain/segment';
import type { ContactListKind, ContactListRecord, ListMemberRecord } from './contact-list.record';

type Row = Record<string, unknown>;

const SELECT = `SELECT l.*, (extract(epoch FROM l.created_at) * 1000000)::bigint::text AS created_micros
  FROM contact_lists l`;

const toList = (r: Row): ContactListRecord => ({
  id: r.id as string,
  orgId: r.org_id as string,
  name: r.name as string,
  kind: r.kind as ContactListKind,
  filter: (r.filter as SegmentFilter | null) ?? null,
  memberCount: Number(r.member_count),
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  createdMicros: r.created_micros as string,
});

const keysetAfter = (column: string, idColumn: string, base: number) =>
  `(${column}, ${idColumn}) < (to_timestamp($${base}::bigint / 1000000.0), $${base + 1}::uuid)`;

/** All SQL of lists, segments, memberships and their counters. */
@Injectable()
export class ListsRepository {
  async insert(
    tx: EntityManager,
    list: Pick<ContactListRecord, 'id' | 'orgId' | 'name' | 'kind' | 'filter' | 'memberCount'>,
    now: Date,
  ): Promise<ContactListRecord> {
    const r = await row<Row>(
      tx,
      `WITH inserted AS (
         INSERT INTO contact_lists (id, org_id, name, kind, filter, member_count, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $7) RETURNING *)
       SELECT l.*, (extract(epoch FROM l.created_at) * 1000000)::bigint::text AS created_micros
         FROM inserted l`,
      [
        list.id,
        list.orgId,
        list.name,
        list.kind,
        list.filter ? JSON.stringify(list.filter) : null,
        list.memberCount,
        now,
      ],
    );
    return toList(r!);
  }

  async find(tx: EntityManager, id: string, lock = false): Promise<ContactListRecord | undefined> {
    const r = await row<Row>(tx, `${SELECT} WHERE l.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return r && toList(r);
  }

  async findMany(tx: EntityManager, ids: string[]): Promise<ContactListRecord[]> {
    return (await rows<Row>(tx, `${SELECT} WHERE l.id = ANY($1::uuid[])`, [ids])).map(toList);
  }

  async rename(tx: EntityManager, id: string, name: string, now: Date): Promise<void> {
    await tx.query(`UPDATE contact_lists SET name = $2, updated_at = $3 WHERE id = $1`, [
      id,
      name,
      now,
    ]);
  }

  async delete(tx: EntityManager, id: string): Promise<boolean> {
    return (await affectedRows(tx, `DELETE FROM contact_lists WHERE id = $1`, [id])) > 0;
  }

  async page(
    tx: EntityManager,
    limit: number,
    after?: KeysetPosition,
  ): Promise<ContactListRecord[]> {
    const params: unknown[] = [limit];
    let where = '';
    if (after) {
      params.push(after.micros, after.id);
      where = `WHERE ${keysetAfter('l.created_at', 'l.id', 2)}`;
    }
    return (
      await rows<Row>(
        tx,
        `${SELECT} ${where} ORDER BY l.created_at DESC, l.id DESC LIMIT $1`,
        params,
      )
    ).map(toList);
  }

  /** The organization's segments (few: each contact write checks them all). */
  async segments(tx: EntityManager): Promise<ContactListRecord[]> {
    return (await rows<Row>(tx, `${SELECT} WHERE l.kind = 'SEGMENT' ORDER BY l.id`)).map(toList);
  }

  /** How many contacts match a filter now: once, when a segment is created. */
  async countMatching(tx: EntityManager, filter: SegmentFilter): Promise<number> {
    const r = await row<{ n: string }>(
      tx,
      `SELECT count(*)::bigint::text AS n FROM contacts WHERE attributes @> $1::jsonb`,
      [JSON.stringify(filter)],
    );
    return Number(r?.n ?? 0);
  }

  /** Adds deltas to lists' member counters (in id order: no deadlock between writers). */
  async addToCounts(tx: EntityManager, deltas: Map<string, number>, now: Date): Promise<void> {
    const changed = [...deltas].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
    if (changed.length === 0) return;
    await tx.query(
      `UPDATE contact_lists l SET member_count = l.member_count + d.n, updated_at = $3
         FROM unnest($1::uuid[], $2::bigint[]) AS d (id, n) WHERE l.id = d.id`,
      [changed.map(([id]) => id), changed.map(([, n]) => n), now],
    );
  }

  /** Adds contacts to a static list; how many were not members yet. */
  async addMembers(
    tx: EntityManager,
    orgId: string,
    listId: string,
    contactIds: string[],
    now: Date,
  ): Promise<number> {
    const added = await rows<Row>(
      tx,
      `INSERT INTO contact_list_members (org_id, list_id, contact_id, added_at)
       SELECT $1, $2, u.cid, $4 FROM unnest($3::uuid[]) AS u (cid)
        WHERE EXISTS (SELECT 1 FROM contacts c WHERE c.id = u.cid)
       ON CONFLICT DO NOTHING RETURNING contact_id`,
      [orgId, listId, contactIds, now],
    );
    return added.length;
  }

  /** Removes contacts from a static list; how many were members. */
  async removeMembers(tx: EntityManager, listId: string, contactIds: string[]): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM contact_list_members WHERE list_id = $1 AND contact_id = ANY($2::uuid[])`,
      [listId, contactIds],
    );
  }

  /** The static lists a contact is in (their counters drop when it is deleted). */
  async listsOf(tx: EntityManager, contactId: string): Promise<string[]> {
    return (
      await rows<{ list_id: string }>(
        tx,
        `SELECT list_id FROM contact_list_members WHERE contact_id = $1`,
        [contactId],
      )
    ).map((r) => r.list_id);
  }

  /** A static list's members, last added first, keyset-paginated on (added_at, contact id). */
  async members(
    tx: EntityManager,
    listId: string,
    limit: number,
    after?: KeysetPosition,
  ): Promise<ListMemberRecord[]> {
    const params: unknown[] = [listId, limit];
    let where = '';
    if (after) {
      params.push(after.micros, after.id);
      where = `AND ${keysetAfter('m.added_at', 'm.contact_id', 3)}`;
    }
    return (
      await rows<Row>(
        tx,
        `SELECT m.contact_id, m.added_at,
                (extract(epoch FROM m.added_at) * 1000000)::bigint::text AS added_micros
           FROM contact_list_members m WHERE m.list_id = $1 ${where}
          ORDER BY m.added_at DESC, m.contact_id DESC LIMIT $2`,
        params,
      )
    ).map((r) => ({
      contactId: r.contact_id as string,
      addedAt: r.added_at as Date,
      addedMicros: r.added_micros as string,
    }));
  }
}
