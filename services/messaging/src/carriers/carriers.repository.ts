import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { affectedRows, isUniqueViolation, row, rows } from '@switchboard/tenancy';
import type { CarrierKind } from '../domain/carrier-errors';
import type {
  CarrierAccountRecord,
  CarrierNumberRecord,
  QueuedCarrierSend,
} from './carrier.record';

type Row = Record<string, unknown>;

const toAccount = (r: Row): CarrierAccountRecord => ({
  id: r.id as string,
  orgId: r.org_id as string,
  kind: r.kind as CarrierKind,
  name: r.name as string,
  sealedCredentials: r.credentials as string,
  credentialsKeyId: r.credentials_key_id as string,
  credentialHint: r.credential_hint as string,
  stickySender: r.sticky_sender as boolean,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

const toNumber = (r: Row): CarrierNumberRecord => ({
  id: r.id as string,
  orgId: r.org_id as string,
  carrierAccountId: r.carrier_account_id as string,
  number: r.number as string,
  sms: r.sms as boolean,
  mms: r.mms as boolean,
  createdAt: r.created_at as Date,
});

const toQueued = (r: Row): QueuedCarrierSend => ({
  messageId: r.message_id as string,
  attempt: Number(r.attempt),
  tenantId: r.tenant_id as string,
  routeId: r.route_id as string,
  carrierAccountId: r.carrier_account_id as string,
  tries: Number(r.tries),
});

/** All SQL of carriers: accounts, numbers, sticky senders, callback receipts, the send queue. */
@Injectable()
export class CarriersRepository {
  async insertAccount(
    tx: EntityManager,
    a: Omit<CarrierAccountRecord, 'createdAt' | 'updatedAt'> & { now: Date },
  ): Promise<CarrierAccountRecord> {
    const r = await row<Row>(
      tx,
      `INSERT INTO carrier_accounts (id, org_id, kind, name, credentials, credentials_key_id, credential_hint, sticky_sender, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *`,
      [
        a.id,
        a.orgId,
        a.kind,
        a.name,
        a.sealedCredentials,
        a.credentialsKeyId,
        a.credentialHint,
        a.stickySender,
        a.now,
      ],
    );
    return toAccount(r!);
  }

  async findAccount(tx: EntityManager, id: string): Promise<CarrierAccountRecord | undefined> {
    const r = await row<Row>(tx, `SELECT * FROM carrier_accounts WHERE id = $1`, [id]);
    return r && toAccount(r);
  }

  /** Replaces the sealed credentials (re-sealed with the current key after a rotation). */
  async resealCredentials(
    tx: EntityManager,
    id: string,
    sealed: string,
    keyId: string,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE carrier_accounts SET credentials = $2, credentials_key_id = $3, updated_at = $4 WHERE id = $1`,
      [id, sealed, keyId, now],
    );
  }

  async listAccounts(tx: EntityManager): Promise<CarrierAccountRecord[]> {
    return (await rows<Row>(tx, `SELECT * FROM carrier_accounts ORDER BY created_at, id`)).map(
      toAccount,
    );
  }

  async deleteAccount(tx: EntityManager, id: string): Promise<boolean> {
    return (await affectedRows(tx, `DELETE FROM carrier_accounts WHERE id = $1`, [id])) > 0;
  }

  /** Inserts a number; false when it belongs to an account already (any organization). */
  async insertNumber(
    tx: EntityManager,
    n: CarrierNumberRecord,
  ): Promise<CarrierNumberRecord | undefined> {
    // A savepoint: a taken number must not abort the caller's transaction.
    await tx.query('SAVEPOINT carrier_number');
    try {
      const r = await row<Row>(
        tx,
        `INSERT INTO carrier_numbers (id, org_id, carrier_account_id, number, sms, mms, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [n.id, n.orgId, n.carrierAccountId, n.number, n.sms, n.mms, n.createdAt],
      );
      await tx.query('RELEASE SAVEPOINT carrier_number');
      return toNumber(r!);
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT carrier_number');
      if (isUniqueViolation(error, 'carrier_numbers_number_unique')) return undefined;
      throw error;
    }
  }

  async deleteNumber(tx: EntityManager, id: string): Promise<boolean> {
    return (await affectedRows(tx, `DELETE FROM carrier_numbers WHERE id = $1`, [id])) > 0;
  }

  async listNumbers(tx: EntityManager, accountIds?: string[]): Promise<CarrierNumberRecord[]> {
    return (
      await rows<Row>(
        tx,
        `SELECT * FROM carrier_numbers
          WHERE ($1::uuid[] IS NULL OR carrier_account_id = ANY($1))
          ORDER BY created_at, id`,
        [accountIds ?? null],
      )
    ).map(toNumber);
  }

  /** The organization's number `number` (E.164), with its account. */
  async findNumber(tx: EntityManager, number: string): Promise<CarrierNumberRecord | undefined> {
    const r = await row<Row>(tx, `SELECT * FROM carrier_numbers WHERE number = $1`, [number]);
    return r && toNumber(r);
  }

  async stickySender(
    tx: EntityManager,
    accountId: string,
    contactNumber: string,
  ): Promise<string | undefined> {
    const r = await row<Row>(
      tx,
      `SELECT sender_number FROM carrier_sticky_senders
        WHERE carrier_account_id = $1 AND contact_number = $2`,
      [accountId, contactNumber],
    );
    return r?.sender_number as string | undefined;
  }

  async setStickySender(
    tx: EntityManager,
    orgId: string,
    accountId: string,
    contactNumber: string,
    senderNumber: string,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO carrier_sticky_senders (org_id, carrier_account_id, contact_number, sender_number, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, carrier_account_id, contact_number)
       DO UPDATE SET sender_number = EXCLUDED.sender_number, updated_at = EXCLUDED.updated_at`,
      [orgId, accountId, contactNumber, senderNumber, now],
    );
  }

  /** Records a callback; false when the same one was taken before (a replay). */
  async takeReceipt(
    tx: EntityManager,
    orgId: string,
    accountId: string,
    dedupeKey: string,
    now: Date,
  ): Promise<boolean> {
    const taken = await rows<Row>(
      tx,
      `INSERT INTO carrier_callback_receipts (org_id, dedupe_key, carrier_account_id, received_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING dedupe_key`,
      [orgId, dedupeKey, accountId, now],
    );
    return taken.length > 0;
  }

  async recordSend(
    tx: EntityManager,
    send: {
      orgId: string;
      externalId: string;
      carrierAccountId: string;
      messageId: string;
      attempt: number;
      routeId: string;
      sentAt: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO carrier_sends (org_id, external_id, carrier_account_id, message_id, attempt, route_id, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [
        send.orgId,
        send.externalId,
        send.carrierAccountId,
        send.messageId,
        send.attempt,
        send.routeId,
        send.sentAt,
      ],
    );
  }

  /** The send the account's carrier knows as `externalId`. */
  async findSend(
    tx: EntityManager,
    carrierAccountId: string,
    externalId: string,
  ): Promise<{ messageId: string; attempt: number; routeId: string } | undefined> {
    const r = await row<Row>(
      tx,
      `SELECT message_id, attempt, route_id FROM carrier_sends
        WHERE carrier_account_id = $1 AND external_id = $2`,
      [carrierAccountId, externalId],
    );
    return (
      r && {
        messageId: r.message_id as string,
        attempt: Number(r.attempt),
        routeId: r.route_id as string,
      }
    );
  }

  // --- retention (batches of `limit`, oldest first) ---

  async purgeReceipts(tx: EntityManager, before: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM carrier_callback_receipts WHERE (org_id, dedupe_key) IN (
         SELECT org_id, dedupe_key FROM carrier_callback_receipts WHERE received_at < $1
          ORDER BY received_at LIMIT $2)`,
      [before, limit],
    );
  }

  async purgeSends(tx: EntityManager, before: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM carrier_sends WHERE (org_id, carrier_account_id, external_id) IN (
         SELECT org_id, carrier_account_id, external_id FROM carrier_sends WHERE sent_at < $1
          ORDER BY sent_at LIMIT $2)`,
      [before, limit],
    );
  }

  async purgeStickySenders(tx: EntityManager, before: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM carrier_sticky_senders WHERE (org_id, carrier_account_id, contact_number) IN (
         SELECT org_id, carrier_account_id, contact_number FROM carrier_sticky_senders
          WHERE updated_at < $1 ORDER BY updated_at LIMIT $2)`,
      [before, limit],
    );
  }

  // --- the send queue (global: every tenant's sends) ---

  /** Queues a send in the caller's tenant transaction (its tenant is the job's). */
  async enqueue(
    tx: EntityManager,
    job: Omit<QueuedCarrierSend, 'tries' | 'tenantId'> & { priority?: number },
    dueAt: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO carrier_dispatch_queue (message_id, attempt, tenant_id, route_id, carrier_account_id, due_at, priority)
       VALUES ($1, $2, NULLIF(current_setting('app.org_id', true), '')::uuid, $3, $4, $5, $6)
       ON CONFLICT (message_id, attempt) DO NOTHING`,
      [job.messageId, job.attempt, job.routeId, job.carrierAccountId, dueAt, job.priority ?? 50],
    );
  }

  /**
   * Claims up to `limit` due sends (`FOR UPDATE SKIP LOCKED`, so replicas never share one) by
   * moving their due time to `lease`: a send whose worker dies is taken again after it. Highest
   * priority first, so a transactional send overtakes a campaign's queued ones.
   */
  async claimDue(
    tx: EntityManager,
    limit: number,
    now: Date,
    lease: Date,
  ): Promise<QueuedCarrierSend[]> {
    return (
      await rows<Row>(
        tx,
        `UPDATE carrier_dispatch_queue q SET due_at = $3
          WHERE (q.message_id, q.attempt) IN (
            SELECT message_id, attempt FROM carrier_dispatch_queue
             WHERE due_at <= $1 ORDER BY priority DESC, due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING q.*`,
        [now, limit, lease],
      )
    ).map(toQueued);
  }

  async retryLater(
    tx: EntityManager,
    messageId: string,
    attempt: number,
    dueAt: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE carrier_dispatch_queue SET tries = tries + 1, due_at = $3
        WHERE message_id = $1 AND attempt = $2`,
      [messageId, attempt, dueAt],
    );
  }

  async dequeue(tx: EntityManager, messageId: string, attempt: number): Promise<void> {
    await tx.query(`DELETE FROM carrier_dispatch_queue WHERE message_id = $1 AND attempt = $2`, [
      messageId,
      attempt,
    ]);
  }
}
