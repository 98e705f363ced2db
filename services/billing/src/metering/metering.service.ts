import { Inject, Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { messagingV1 } from '@switchboard/contracts';
import { Clock } from '@switchboard/service-kit';
import { oncePerTransaction, type SqlRunner } from '@switchboard/tenancy';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { periodOf } from '../domain/period';
import {
  billingUnitsOf,
  chargeFor,
  countryOf,
  settle,
  type RouteName,
  type StatusStep,
} from '../domain/pricing';
import type { OrganizationPlanRecord, PlanRecord, PriceRecord } from '../plans/plan.record';
import type { PriceInForce, PriceQuestion } from '../plans/plan.repository';
import { PlansService } from '../plans/plans.service';
import { QuotaService } from '../quota/quota.service';
import { WalletService } from '../wallet/wallet.service';
import { MeterEventsRepository } from './meter-events.repository';
import { UsageRepository } from './usage.repository';

const K = messagingV1.MessageEventKind;
const ROUTE: Partial<Record<messagingV1.Route, RouteName>> = {
  [messagingV1.Route.DEVICE]: 'DEVICE',
  [messagingV1.Route.CARRIER]: 'CARRIER',
  // The organization's own Twilio or Telnyx account: the price book's carrier prices.
  [messagingV1.Route.TWILIO]: 'CARRIER',
  [messagingV1.Route.TELNYX]: 'CARRIER',
  [messagingV1.Route.GHL]: 'GHL',
};
const STEP: Partial<Record<messagingV1.MessageEventKind, StatusStep>> = {
  [K.SENT]: 'SENT',
  [K.DELIVERED]: 'DELIVERED',
  [K.FAILED]: 'FAILED',
  [K.REJECTED]: 'REJECTED',
  [K.EXPIRED]: 'EXPIRED',
  [K.CANCELED]: 'CANCELED',
};

/**
 * Whether metering has anything to do with a message event: an outbound message accepted
 * (QUEUED/SCHEDULED) or at a status that settles its charge. The consumer skips the others before
 * any database work (no transaction, no processed-event row: issue 17).
 */
export function isMeteredEvent(event: messagingV1.MessageEvent): boolean {
  return (
    event.direction === messagingV1.Direction.OUTBOUND &&
    (event.kind === K.QUEUED || event.kind === K.SCHEDULED || STEP[event.kind] !== undefined)
  );
}

/**
 * Metering from messaging.message.v1, exactly once per message: the first QUEUED/SCHEDULED
 * event of an outbound message writes its usage entry (keyed by message id: a duplicate or a
 * replay writes nothing), priced at the version in force when it was accepted, paid from the
 * allowance, as overage or by a wallet reservation; a later status captures or refunds it once.
 */
@Injectable()
export class MeteringService {
  /** Per transaction: the prices it read, by destination, route and kind (see priceAt). */
  private readonly pricesRead = new WeakMap<SqlRunner, Map<string, PriceInForce>>();

  constructor(
    private readonly usage: UsageRepository,
    private readonly meterEvents: MeterEventsRepository,
    private readonly plans: PlansService,
    private readonly wallets: WalletService,
    private readonly quotas: QuotaService,
    private readonly clock: Clock,
    @Inject(BILLING_CONFIG) private readonly config: Pick<BillingConfig, 'METERING_START_AT'>,
  ) {}

  async onMessageEvent(
    tx: SqlRunner,
    orgId: string,
    event: messagingV1.MessageEvent,
  ): Promise<void> {
    if (!isMeteredEvent(event)) return;
    const start = this.config.METERING_START_AT;
    if (start && event.occurredAt && timestampDate(event.occurredAt) < start) return;
    if (event.kind === K.QUEUED || event.kind === K.SCHEDULED) return this.accept(tx, orgId, event);
    const step = STEP[event.kind];
    if (step) return this.settle(tx, orgId, event.messageId, step);
  }

  private async accept(
    tx: SqlRunner,
    orgId: string,
    event: messagingV1.MessageEvent,
  ): Promise<void> {
    // A message metered before (a duplicate, a replay) is found by the insert below, which
    // writes nothing then: no lookup first (one round trip less per event).
    const acceptedAt = event.occurredAt ? timestampDate(event.occurredAt) : this.clock.now();
    // Before routing a message has no route yet: the device route is the default one.
    const route = ROUTE[event.route] ?? 'DEVICE';
    const country = countryOf(event.to?.e164 ?? '');
    // With media: one MMS at the MMS price; else per SMS segment.
    const { kind, units: segments } = billingUnitsOf(event);
    // The transaction's first event reads its price with the plan row.
    const question: PriceQuestion = { country, route, kind, at: acceptedAt };
    const { plan } = await this.accountOf(tx, orgId, question);
    const price = await this.priceAt(tx, question);
    const period = periodOf(acceptedAt);
    const includedUsed = await this.usage.lockPeriod(tx, orgId, period);
    const charge = chargeFor({
      segments,
      unitPriceMinor: price.amountMinor,
      plan,
      includedUsed,
      kind,
    });
    const inserted = await this.usage.insert(tx, {
      orgId,
      messageId: event.messageId,
      period,
      acceptedAt,
      route,
      country,
      kind,
      segments,
      currency: price.currency,
      unitPriceMinor: price.amountMinor,
      priceId: price.id,
      state: 'ACCEPTED',
      leftPlatform: false,
      ...charge,
    });
    if (!inserted) return; // with its included segments added to the period's counter
    const wallet = await this.wallets.reserve(tx, orgId, event.messageId, charge.walletAmountMinor);
    // A plan that allows overage: no send decision depends on its allowance or wallet (every
    // send is allowed; plan changes publish), so a metered message changes nothing to publish.
    if (plan.overageAllowed) return;
    // What this transaction read already is not read again to publish the quota.
    await this.quotas.publish(tx, orgId, {
      plan,
      included: { period, used: includedUsed + charge.includedSegments },
      wallet,
    });
  }

  /**
   * The price in force at `at` (PlansService.priceAt), read once per transaction for as long as
   * it stays the answer: the events of a batch accepted under one price version share one read.
   */
  private async priceAt(tx: SqlRunner, question: PriceQuestion): Promise<PriceRecord> {
    const { country, route, kind, at } = question;
    const read = this.pricesOf(tx).get(priceKey(question));
    if (read && read.effectiveFrom <= at && (!read.validUntil || at < read.validUntil)) return read;
    const price = await this.plans.priceInForce(tx, country, route, kind, at);
    this.pricesOf(tx).set(priceKey(question), price);
    return price;
  }

  private pricesOf(tx: SqlRunner): Map<string, PriceInForce> {
    let known = this.pricesRead.get(tx);
    if (!known) this.pricesRead.set(tx, (known = new Map()));
    return known;
  }

  /**
   * The organization's plan row, locked, and its plan: read once per transaction, so events of
   * one organization metered together (the consumer's batchMax) lock and read them once.
   * Metering changes neither.
   */
  private accountOf(
    tx: SqlRunner,
    orgId: string,
    price?: PriceQuestion,
  ): Promise<{ account: OrganizationPlanRecord; plan: PlanRecord }> {
    return oncePerTransaction(tx, `account:${orgId}`, async () => {
      const found = await this.plans.lockAccountWithPlan(tx, orgId, price);
      if (price && found.price) this.pricesOf(tx).set(priceKey(price), found.price);
      return found;
    });
  }

  private async settle(
    tx: SqlRunner,
    orgId: string,
    messageId: string,
    step: StatusStep,
  ): Promise<void> {
    // Never accepted (e.g. rejected by the pre-send checks): nothing to bill, nothing to lock.
    if (!(await this.usage.find(tx, orgId, messageId))) return;
    const { account, plan } = await this.accountOf(tx, orgId);
    const entry = (await this.usage.find(tx, orgId, messageId, true))!;
    const left = entry.leftPlatform || step === 'SENT' || step === 'DELIVERED';
    if (left && !entry.leftPlatform) await this.usage.markLeft(tx, orgId, messageId);
    const decision = settle(entry.state, left, step, plan.refundFailed);
    const at = this.clock.now();
    if (decision === 'CAPTURE') {
      await this.usage.settle(tx, orgId, messageId, 'CAPTURED', at);
      await this.wallets.capture(tx, orgId, messageId, entry.walletAmountMinor);
      // Overage of a subscription is billed by Stripe: reported as a meter event.
      if (entry.overageSegments > 0 && account.stripeSubscriptionId) {
        await this.meterEvents.enqueue(tx, orgId, messageId, entry.overageSegments, at);
      }
    } else if (decision === 'REFUND') {
      await this.usage.settle(tx, orgId, messageId, 'REFUNDED', at);
      await this.usage.lockPeriod(tx, orgId, entry.period);
      await this.usage.addIncludedUsed(tx, orgId, entry.period, -entry.includedSegments);
      await this.wallets.release(tx, orgId, messageId, entry.walletAmountMinor);
      if (!plan.overageAllowed) await this.quotas.publish(tx, orgId);
    }
  }
}

/** A transaction's remembered price by destination, route and kind (see priceAt). */
const priceKey = ({ country, route, kind }: PriceQuestion) => `${country}:${route}:${kind}`;
