import { Controller, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '@switchboard/auth';
import { isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { CarrierCallbacksService } from './carrier-callbacks.service';

type RawRequest = Request & { rawBody?: Buffer };

function checkIds(orgId: string, accountId: string): void {
  if (!isUuid(orgId) || !isUuid(accountId)) {
    throw new MessagingException(
      MessagingErrorCode.INVALID_CARRIER_SIGNATURE,
      'Invalid carrier signature',
    );
  }
}

/**
 * Receiver of Twilio's and Telnyx's signed callbacks (message statuses and inbound messages).
 * Each carrier account has its own URLs (`carrierAccounts { statusCallbackUrl
 * inboundWebhookUrl }`), naming its organization and account. Public: the signature is the
 * authentication; a refused callback answers 401 with nothing written.
 */
@Public()
@Controller('api/carrier-hooks')
export class CarrierHooksController {
  constructor(private readonly callbacks: CarrierCallbacksService) {}

  @Post('twilio/:orgId/:accountId/status')
  @HttpCode(204)
  async twilioStatus(
    @Param('orgId') orgId: string,
    @Param('accountId') accountId: string,
    @Req() req: RawRequest,
    @Headers('x-twilio-signature') signature: string | undefined,
  ): Promise<void> {
    checkIds(orgId, accountId);
    await this.callbacks.twilio({
      orgId: orgId.toLowerCase(),
      accountId: accountId.toLowerCase(),
      hook: 'status',
      signature,
      rawBody: req.rawBody,
    });
  }

  /** Answers empty TwiML: no automatic reply. */
  @Post('twilio/:orgId/:accountId/inbound')
  async twilioInbound(
    @Param('orgId') orgId: string,
    @Param('accountId') accountId: string,
    @Req() req: RawRequest,
    @Res() res: Response,
    @Headers('x-twilio-signature') signature: string | undefined,
  ): Promise<void> {
    checkIds(orgId, accountId);
    await this.callbacks.twilio({
      orgId: orgId.toLowerCase(),
      accountId: accountId.toLowerCase(),
      hook: 'inbound',
      signature,
      rawBody: req.rawBody,
    });
    res.status(200).type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  }

  @Post('telnyx/:orgId/:accountId')
  @HttpCode(204)
  async telnyx(
    @Param('orgId') orgId: string,
    @Param('accountId') accountId: string,
    @Req() req: RawRequest,
    @Headers('telnyx-signature-ed25519') signature: string | undefined,
    @Headers('telnyx-timestamp') timestamp: string | undefined,
  ): Promise<void> {
    checkIds(orgId, accountId);
    await this.callbacks.telnyx({
      orgId: orgId.toLowerCase(),
      accountId: accountId.toLowerCase(),
      signature,
      timestamp,
      rawBody: req.rawBody,
    });
  }
}
