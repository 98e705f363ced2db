import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, type SqlRunner } from '@switchboard/tenancy';
import { BillingEventsWriter } from '../common/billing-events.writer';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { AutoRechargeRepository } from './auto-recharge.repository';
import type { WalletEntryRecord, WalletRecord } from './wallet.record';
import { WalletRepository } from './wallet.repository';

/** An off-session charge's outcome at Stripe (the job's call, or a payment_intent webhook). */
export type RechargeOutcome =
  | { status: 'SUCCEEDED'; paymentIntentId: string; amountMinor: number; currency: string }
  | { status: 'FAILED'; paymentIntentId: string | null; failureCode: string };

/** available = balance − open reservations. */
export const availableOf = (w: Pick<WalletRecord, 'balanceMinor' | 'heldMinor'>) =>
  w.balanceMinor - w.heldMinor;

/**
 * The prepaid wallet. Every movement is one immutable ledger entry, unique per (kind,
 * reference), so a repeated top-up or reservation writes nothing; the balance is the sum of
 * the entries (the schema's trigger). Callers hold the organization's plan row lock, so changes
 * of one organization are serialized.
 */
@Injectable()
export class WalletService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly wallets: WalletRepository,
    private readonly autoRecharge: AutoRechargeRepository,
    private readonly events: BillingEventsWriter,
    private readonly clock: Clock,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  async ensure(tx: SqlRunner, orgId: string): Promise<WalletRecord> {
    const found = await this.wallets.find(tx, orgId);
    if (found) return found;
    await this.wallets.create(
      tx,
      orgId,
      this.config.BILLING_CURRENCY,
      this.config.LOW_BALANCE_THRESHOLD_MINOR,
    );
    return (await this.wallets.find(tx, orgId))!;
  }

  get(orgId: string): Promise<WalletRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => this.ensure(tx, orgId));
  }

  ledger(orgId: string, limit: number, beforeSeq?: number): Promise<WalletEntryRecord[]> {
    return inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.wallets.entries(tx, orgId, limit, beforeSeq),
    );
  }

  /** Credits a top-up once per reference (a Stripe Checkout Session id); true if credited now. */
  async topUp(
    tx: SqlRunner,
    orgId: string,
    top: { reference: string; amountMinor: number; currency: string; description: string },
  ): Promise<boolean> {
    const wallet = await this.ensure(tx, orgId);
    if (!Number.isSafeInteger(top.amountMinor) || top.amountMinor <= 0) {
      throw new BillingException(
        BillingErrorCode.INVALID_AMOUNT,
        'A top-up is a positive integer amount',
      );
    }
    if (top.currency !== wallet.currency) {
      throw new BillingException(
        BillingErrorCode.INVALID_AMOUNT,
        `The wallet is in ${wallet.currency}, not ${top.currency}`,
      );
    }
    const credited = await this.append(
      tx,
      orgId,
      'TOPUP',
      top.reference,
      top.amountMinor,
      0,
      top.description,
    );
    if (credited) await this.checkLowBalance(tx, orgId);
    return credited;
  }

  /**
   * Holds `amountMinor` for a message (even past the available balance: it was accepted); the
   * wallet after it (undefined when nothing was held).
   */
  async reserve(
    tx: SqlRunner,
    orgId: string,
    messageId: string,
    amountMinor: number,
  ): Promise<WalletRecord | undefined> {
    if (amountMinor <= 0) return undefined;
    await this.ensure(tx, orgId);
    await this.append(tx, orgId, 'RESERVATION', messageId, 0, amountMinor, 'message accepted');
    return this.checkLowBalance(tx, orgId);
  }

  /** The message left the platform: its reservation becomes a charge. */
  async capture(
    tx: SqlRunner,
    orgId: string,
    messageId: string,
    amountMinor: number,
  ): Promise<void> {
    if (amountMinor <= 0) return;
    await this.append(tx, orgId, 'CAPTURE', messageId, -amountMinor, -amountMinor, 'message sent');
  }

  /** The message never left: its reservation is released. */
  async release(
    tx: SqlRunner,
    orgId: string,
    messageId: string,
    amountMinor: number,
  ): Promise<void> {
    if (amountMinor <= 0) return;
    await this.append(tx, orgId, 'RELEASE', messageId, 0, -amountMinor, 'message refunded');
    await this.checkLowBalance(tx, orgId);
  }

  /**
   * Settles an auto-recharge attempt once, whichever of the job and Stripe's webhook comes
   * first: a success credits the wallet once (reference: the PaymentIntent id); a failure pauses
   * auto-recharge and alerts (billing.wallet-alert.v1, AUTO_RECHARGE_FAILED). True when the
   * wallet was credited now (the caller publishes the quota).
   */
  async settleRecharge(
    tx: SqlRunner,
    orgId: string,
    attemptId: string,
    outcome: RechargeOutcome,
  ): Promise<boolean> {
    const at = this.clock.now();
    if (outcome.status === 'SUCCEEDED') {
      await this.autoRecharge.settle(
        tx,
        orgId,
        attemptId,
        { status: 'SUCCEEDED', paymentIntentId: outcome.paymentIntentId, failureCode: null },
        at,
      );
      return this.topUp(tx, orgId, {
        reference: outcome.paymentIntentId,
        amountMinor: outcome.amountMinor,
        currency: outcome.currency,
        description: 'automatic recharge',
      });
    }
    const settled = await this.autoRecharge.settle(
      tx,
      orgId,
      attemptId,
      {
        status: 'FAILED',
        paymentIntentId: outcome.paymentIntentId,
        failureCode: outcome.failureCode,
      },
      at,
    );
    if (!settled) return false;
    await this.autoRecharge.pause(tx, orgId, outcome.failureCode, at);
    await this.wallets.setAutoRechargeBelow(tx, orgId, null);
    const wallet = (await this.wallets.find(tx, orgId))!;
    await this.events.rechargeFailed(
      tx,
      orgId,
      {
        currency: wallet.currency,
        availableMinor: availableOf(wallet),
        thresholdMinor: wallet.lowBalanceThresholdMinor,
        failureCode: outcome.failureCode,
        attemptId,
      },
      at,
    );
    return false;
  }

  /**
   * Turns auto-recharge on (below `belowMinor`) or off (null) for the wallet's checks, and asks
   * for a charge at once when the balance is already below.
   */
  async setAutoRechargeBelow(tx: SqlRunner, orgId: string, belowMinor: number | null) {
    await this.ensure(tx, orgId);
    await this.wallets.setAutoRechargeBelow(tx, orgId, belowMinor);
    await this.checkLowBalance(tx, orgId);
  }

  private async append(
    tx: SqlRunner,
    orgId: string,
    kind: 'TOPUP' | 'RESERVATION' | 'CAPTURE' | 'RELEASE',
    reference: string,
    amountMinor: number,
    heldMinor: number,
    description: string,
  ): Promise<boolean> {
    return this.wallets.append(tx, orgId, {
      id: randomUUID(),
      kind,
      amountMinor,
      heldMinor,
      currency: this.config.BILLING_CURRENCY,
      reference,
      description,
      createdAt: this.clock.now(),
    });
  }

  /**
   * One alert per crossing below the threshold; rearmed when the balance is back above it. The
   * wallet as read (its balances are current).
   */
  private async checkLowBalance(tx: SqlRunner, orgId: string): Promise<WalletRecord> {
    const wallet = (await this.wallets.find(tx, orgId))!;
    const available = availableOf(wallet);
    const below = available < wallet.lowBalanceThresholdMinor;
    if (below && !wallet.lowBalanceAlerted) {
      await this.wallets.setAlerted(tx, orgId, true);
      await this.events.lowBalance(
        tx,
        orgId,
        {
          currency: wallet.currency,
          availableMinor: available,
          thresholdMinor: wallet.lowBalanceThresholdMinor,
        },
        this.clock.now(),
      );
    } else if (!below && wallet.lowBalanceAlerted) {
      await this.wallets.setAlerted(tx, orgId, false);
    }
    // Auto-recharge: one charge in flight at most (AutoRechargeJob sends it to Stripe).
    if (wallet.autoRechargeBelowMinor !== null && available < wallet.autoRechargeBelowMinor) {
      await this.autoRecharge.request(tx, orgId, randomUUID(), wallet.currency, this.clock.now());
    }
    return wallet;
  }
}
