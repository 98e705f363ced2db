import { Body, Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '@switchboard/auth';
import { isUuid } from '@switchboard/tenancy';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { InboundService } from './inbound.service';

/**
 * Receiver of the phones' signed webhooks. `GET /api/mobile/v1/webhooks` gives each phone its
 * own URL, `/api/device-hooks/<org id>/<device id>`, so the device (and its key) is found
 * without trusting anything in the unverified body.
 */
@Public()
@Controller('api/device-hooks')
export class DeviceHooksController {
  constructor(private readonly inbound: InboundService) {}

  @Post(':orgId/:deviceId')
  @HttpCode(204)
  async receive(
    @Param('orgId') orgId: string,
    @Param('deviceId') deviceId: string,
    @Req() req: Request & { rawBody?: Buffer },
    @Body() body: unknown,
    @Headers('x-signature') signature: string | undefined,
    @Headers('x-timestamp') timestamp: string | undefined,
  ): Promise<void> {
    if (!isUuid(orgId) || !isUuid(deviceId)) {
      throw new DevicesException(DevicesErrorCode.INVALID_SIGNATURE, 'Invalid webhook signature');
    }
    await this.inbound.receive({
      orgId,
      deviceId,
      rawBody: req.rawBody,
      body,
      signature,
      timestamp,
    });
  }
}
