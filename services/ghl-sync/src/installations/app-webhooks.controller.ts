import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '@switchboard/auth';
import type { SignatureHeaders } from '../common/webhook-verifier';
import { AppWebhooksService, type AppWebhookOutcome } from './app-webhooks.service';

/**
 * `POST /ghl/webhooks/app`: GHL's app webhooks (INSTALL, UNINSTALL, ContactDndUpdate…). No
 * session: the signature over the raw body is the authorization. Thin: one service call.
 */
@Public()
@Controller('ghl/webhooks')
export class AppWebhooksController {
  constructor(private readonly webhooks: AppWebhooksService) {}

  @Post('app')
  @HttpCode(200)
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers() headers: SignatureHeaders,
  ): Promise<{ received: AppWebhookOutcome }> {
    return { received: await this.webhooks.receive(req.rawBody, headers) };
  }
}
