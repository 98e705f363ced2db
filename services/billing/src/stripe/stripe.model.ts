import { Field, ID, ObjectType } from '@nestjs/graphql';
import { decodeCursor, encodeCursor, PageInfo, pageInfoOf } from '@switchboard/service-kit';
import { MoneyModel, toMoney } from '../common/money.model';
import type { StripeInvoice, StripeLink } from './stripe.client';

@ObjectType('StripeLink', { description: 'A Stripe-hosted page to send the customer to.' })
export class StripeLinkModel {
  @Field(() => ID, { description: 'The Stripe session id.' }) id!: string;
  @Field() url!: string;
}

export const toStripeLinkModel = (link: StripeLink): StripeLinkModel => ({
  id: link.id,
  url: link.url,
});

@ObjectType('Invoice', { description: "One of the organization's Stripe invoices." })
export class InvoiceModel {
  @Field(() => ID, { description: "Stripe's invoice id." }) id!: string;
  @Field(() => String, { nullable: true }) number!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'draft, open, paid, uncollectible or void (Stripe).',
  })
  status!: string | null;
  @Field(() => MoneyModel) total!: MoneyModel;
  @Field(() => MoneyModel) amountDue!: MoneyModel;
  @Field(() => MoneyModel) amountPaid!: MoneyModel;
  @Field(() => String, { nullable: true, description: "Stripe's page to view and pay it." })
  hostedInvoiceUrl!: string | null;
  @Field(() => String, { nullable: true }) invoicePdf!: string | null;
  @Field(() => Date) periodStart!: Date;
  @Field(() => Date) periodEnd!: Date;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class InvoiceEdge {
  @Field(() => InvoiceModel) node!: InvoiceModel;
  @Field() cursor!: string;
}

@ObjectType()
export class InvoiceConnection {
  @Field(() => [InvoiceEdge]) edges!: InvoiceEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

const INVOICE_ID = /^in_[A-Za-z0-9]{1,100}$/;

/** A cursor of the invoices list: the Stripe id of the invoice it follows. */
export const invoiceCursor = (invoiceId: string) => encodeCursor('invoice', [invoiceId]);

export function invoiceIdOfCursor(cursor: string): string | undefined {
  return decodeCursor('invoice', cursor, [INVOICE_ID])?.[0];
}

export function toInvoiceConnection(
  page: { invoices: StripeInvoice[]; hasMore: boolean },
  hadCursor: boolean,
): InvoiceConnection {
  const edges = page.invoices.map((i) => ({
    cursor: invoiceCursor(i.id),
    node: {
      id: i.id,
      number: i.number,
      status: i.status,
      total: toMoney(i.currency, i.totalMinor),
      amountDue: toMoney(i.currency, i.amountDueMinor),
      amountPaid: toMoney(i.currency, i.amountPaidMinor),
      hostedInvoiceUrl: i.hostedInvoiceUrl,
      invoicePdf: i.invoicePdf,
      periodStart: i.periodStart,
      periodEnd: i.periodEnd,
      createdAt: i.createdAt,
    },
  }));
  // Stripe's has_more says whether there is a next page.
  return { edges, pageInfo: pageInfoOf(edges, page.hasMore, hadCursor) };
}
