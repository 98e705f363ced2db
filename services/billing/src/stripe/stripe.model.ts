import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { StripeLink } from './stripe.client';

@ObjectType('StripeLink', { description: 'A Stripe-hosted page to send the customer to.' })
export class StripeLinkModel {
  @Field(() => ID, { description: 'The Stripe session id.' }) id!: string;
  @Field() url!: string;
}

export const toStripeLinkModel = (link: StripeLink): StripeLinkModel => ({
  id: link.id,
  url: link.url,
});
