import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { MoneyModel, toMoney } from '../common/money.model';
import {
  decodeCursor,
  encodeCursor,
  PageInfo,
  SEQUENCE_PART,
  toPage,
} from '@switchboard/service-kit';
import type { WalletEntryKind, WalletEntryRecord, WalletRecord } from './wallet.record';

export enum WalletEntryKindModel {
  TOPUP = 'TOPUP',
  RESERVATION = 'RESERVATION',
  CAPTURE = 'CAPTURE',
  RELEASE = 'RELEASE',
  ADJUSTMENT = 'ADJUSTMENT',
}
registerEnumType(WalletEntryKindModel, { name: 'WalletEntryKind' });

@ObjectType('Wallet', { description: 'Prepaid credits: balance = the sum of the ledger.' })
export class WalletModel {
  @Field(() => MoneyModel, { description: 'Top-ups minus captured charges.' }) balance!: MoneyModel;
  @Field(() => MoneyModel, { description: 'Reserved for messages not settled yet.' })
  held!: MoneyModel;
  @Field(() => MoneyModel, { description: 'balance − held.' }) available!: MoneyModel;
  @Field(() => MoneyModel) lowBalanceThreshold!: MoneyModel;
}

@ObjectType('WalletEntry', { description: 'One immutable ledger entry.' })
export class WalletEntryModel {
  @Field(() => ID) id!: string;
  @Field(() => WalletEntryKindModel) kind!: WalletEntryKind;
  @Field(() => MoneyModel, { description: 'Effect on the balance.' }) amount!: MoneyModel;
  @Field(() => MoneyModel, { description: 'Effect on the reserved amount.' }) held!: MoneyModel;
  @Field({ description: 'A message id, a Checkout Session id…' }) reference!: string;
  @Field() description!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class WalletEntryEdge {
  @Field(() => WalletEntryModel) node!: WalletEntryModel;
  @Field() cursor!: string;
}

@ObjectType()
export class WalletEntryConnection {
  @Field(() => [WalletEntryEdge]) edges!: WalletEntryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

export function toWalletModel(w: WalletRecord): WalletModel {
  return {
    balance: toMoney(w.currency, w.balanceMinor),
    held: toMoney(w.currency, w.heldMinor),
    available: toMoney(w.currency, w.balanceMinor - w.heldMinor),
    lowBalanceThreshold: toMoney(w.currency, w.lowBalanceThresholdMinor),
  };
}

/** A cursor of the ledger: the sequence of the entry it follows (service-kit's relay cursor). */
export const ledgerCursor = (seq: number) => encodeCursor('wallet', [seq]);

/** The sequence a cursor names, or undefined when it is not one of ours. */
export function seqOfCursor(cursor: string): number | undefined {
  const parts = decodeCursor('wallet', cursor, [SEQUENCE_PART]);
  return parts ? Number(parts[0]) : undefined;
}

export function toWalletEntryConnection(
  entries: WalletEntryRecord[],
  limit: number,
  hadCursor: boolean,
): WalletEntryConnection {
  const page = toPage(entries, limit, hadCursor, (e) => ledgerCursor(e.seq));
  return {
    pageInfo: page.pageInfo,
    edges: page.edges.map(({ cursor, node: e }) => ({
      cursor,
      node: {
        id: e.id,
        kind: e.kind,
        amount: toMoney(e.currency, e.amountMinor),
        held: toMoney(e.currency, e.heldMinor),
        reference: e.reference,
        description: e.description,
        createdAt: e.createdAt,
      },
    })),
  };
}
