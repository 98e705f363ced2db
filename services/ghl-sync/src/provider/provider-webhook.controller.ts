import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '@switchboard/auth';
import type { SignatureHeaders } from '../common/webhook-verifier';
import type { ProviderDeliveryOutcome } from './provider-ingest.service';
import { ProviderMessagesService } from './provider-messages.service';

/**
 * `POST /ghl/webhooks/provider`: the conversation provider's Delivery URL (GHL's outbound SMS).
 * No session: the Ed25519 `X-GHL-Signature` over the raw body is the authorization. Thin.
 */
@Public()
@Controller('ghl/webhooks')
export class ProviderWebhookController {
  constructor(private readonly deliveries: ProviderMessagesService) {}

  @Post('provider')
  @HttpCode(200)
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers() headers: SignatureHeaders,
  ): Promise<{ received: ProviderDeliveryOutcome }> {
    return { received: await this.deliveries.receive(req.rawBody, headers) };
  }
}
