import { Injectable } from '@nestjs/common';
import { row, rows, type SqlRunner } from '@switchboard/tenancy';
import type { WalletEntryKind, WalletEntryRecord, WalletRecord } from './wallet.record';

const WALLET = `org_id AS "orgId", currency, balance_minor::float8 AS "balanceMinor",
  held_minor::float8 AS "heldMinor", low_balance_threshold_minor::float8 AS "lowBalanceThresholdMinor",
  low_balance_alerted AS "lowBalanceAlerted",
  auto_recharge_below_minor::float8 AS "autoRechargeBelowMinor"`;
const ENTRY = `id, seq::float8 AS seq, kind, amount_minor::float8 AS "amountMinor",
  held_minor::float8 AS "heldMinor", currency, reference, description, created_at AS "createdAt"`;

/**
 * SQL of the wallet and its immutable ledger. Balances are never written here: inserting an
 * entry moves them (the trigger of migration 1740000000000).
 */
@Injectable()
export class WalletRepository {
  find(tx: SqlRunner, orgId: string, forUpdate = false): Promise<WalletRecord | undefined> {
    return row<WalletRecord>(
      tx,
      `SELECT ${WALLET} FROM wallets WHERE org_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [orgId],
    );
  }

  async create(tx: SqlRunner, orgId: string, currency: string, thresholdMinor: number) {
    await tx.query(
      `INSERT INTO wallets (org_id, currency, low_balance_threshold_minor) VALUES ($1, $2, $3)
       ON CONFLICT (org_id) DO NOTHING`,
      [orgId, currency, thresholdMinor],
    );
  }

  /** Appends an entry; false when one of this kind and reference exists (nothing written). */
  async append(
    tx: SqlRunner,
    orgId: string,
    entry: {
      id: string;
      kind: WalletEntryKind;
      amountMinor: number;
      heldMinor: number;
      currency: string;
      reference: string;
      description: string;
      createdAt: Date;
    },
  ): Promise<boolean> {
    const inserted = await rows(
      tx,
      `INSERT INTO wallet_entries (org_id, id, kind, amount_minor, held_minor, currency, reference,
         description, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (org_id, kind, reference) DO NOTHING RETURNING 1`,
      [
        orgId,
        entry.id,
        entry.kind,
        entry.amountMinor,
        entry.heldMinor,
        entry.currency,
        entry.reference,
        entry.description,
        entry.createdAt,
      ],
    );
    return inserted.length > 0;
  }

  /** Where auto-recharge asks for a charge (null: never). */
  async setAutoRechargeBelow(tx: SqlRunner, orgId: string, belowMinor: number | null) {
    await tx.query(`UPDATE wallets SET auto_recharge_below_minor = $2 WHERE org_id = $1`, [
      orgId,
      belowMinor,
    ]);
  }

  async setAlerted(tx: SqlRunner, orgId: string, alerted: boolean): Promise<void> {
    await tx.query(`UPDATE wallets SET low_balance_alerted = $2 WHERE org_id = $1`, [
      orgId,
      alerted,
    ]);
  }

  /** Newest first, after the entry with sequence `beforeSeq` (keyset pagination). */
  entries(
    tx: SqlRunner,
    orgId: string,
    limit: number,
    beforeSeq?: number,
  ): Promise<WalletEntryRecord[]> {
    return rows<WalletEntryRecord>(
      tx,
      `SELECT ${ENTRY} FROM wallet_entries WHERE org_id = $1 AND ($2::bigint IS NULL OR seq < $2)
        ORDER BY seq DESC LIMIT $3`,
      [orgId, beforeSeq ?? null, limit],
    );
  }
}
