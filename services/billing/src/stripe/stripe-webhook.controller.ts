import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '@switchboard/auth';
import { StripeBillingService } from './stripe-billing.service';

/**
 * `POST /webhooks/stripe`: Stripe's event deliveries. No session: the `Stripe-Signature` over
 * the raw body is the authorization (a bad or stale one: 400 INVALID_SIGNATURE, nothing
 * written). Thin: one service call; 200 once the effect is committed (or was already).
 */
@Public()
@Controller('webhooks')
export class StripeWebhookController {
  constructor(private readonly stripe: StripeBillingService) {}

  @Post('stripe')
  @HttpCode(200)
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true }> {
    await this.stripe.handleWebhook(req.rawBody, signature);
    return { received: true };
  }
}
