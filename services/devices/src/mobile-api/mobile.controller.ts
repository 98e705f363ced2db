import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Patch,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '@switchboard/auth';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { parseInput } from '../common/validation';
import { DeviceStatusService } from '../fleet/device-status.service';
import type { DeviceIdentity } from '../fleet/device.record';
import { HandoutService } from '../handout/handout.service';
import type { MobileMessage } from '../handout/mobile-message.model';
import { DeviceWakeups, type EventStream } from '../presence/device-wakeups';
import { RegistrationService, type Registered } from '../registration/registration.service';
import { bearerToken, CurrentDevice, DeviceAuthGuard } from './device-auth.guard';
import {
  messagesQuery,
  patchDeviceBody,
  patchMessagesBody,
  registerDeviceBody,
} from './mobile.dto';

/** `me.capcom.smsgateway/1.31.0` → `1.31.0`. */
function appVersionOf(userAgent: string | undefined): string | null {
  return /me\.capcom\.smsgateway\/(\S{1,32})/.exec(userAgent ?? '')?.[1] ?? null;
}

/**
 * The SMSGate device API (`/api/mobile/v1`), what the app's GatewayApi.kt calls. Thin: each
 * route validates its input and makes one service call. Phones authenticate with their device
 * token (DeviceAuthGuard); only registration uses the enrollment token.
 */
@Public()
@Controller('api/mobile/v1')
export class MobileController {
  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly registration: RegistrationService,
    private readonly handouts: HandoutService,
    private readonly status: DeviceStatusService,
    private readonly wakeups: DeviceWakeups,
  ) {}

  /** Registration: `Authorization: Bearer <enrollment token>` → 201 `{id, token, login}`. */
  @Post('device')
  @HttpCode(201)
  register(
    @Headers('authorization') authorization: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
    @Req() req: Request,
    @Body() body: unknown,
  ): Promise<Registered> {
    const input = parseInput(registerDeviceBody, body, 'registration');
    return this.registration.register(
      bearerToken(authorization),
      { ...input, simCards: input.simCards ?? undefined },
      appVersionOf(userAgent),
      req.ip ?? '',
    );
  }

  /** The phone's push token and SIM cards; 403 when `id` is not the caller. */
  @Patch('device')
  @HttpCode(204)
  @UseGuards(DeviceAuthGuard)
  async patchDevice(@CurrentDevice() device: DeviceIdentity, @Body() body: unknown) {
    const input = parseInput(patchDeviceBody, body, 'device update');
    await this.registration.patchFromDevice(device, {
      ...input,
      simCards: input.simCards ?? undefined,
    });
  }

  /** The phone's public address (shown in the app), and the device when the token is valid. */
  @Get('device')
  async getDevice(@Req() req: Request) {
    const externalIp = req.ip ?? '';
    if (!req.headers.authorization) return { externalIp };
    const identity = await this.registration.authenticate(bearerToken(req.headers.authorization));
    const device = await this.registration.deviceOf(identity);
    return {
      externalIp,
      device: {
        id: device.id,
        name: device.name,
        createdAt: device.createdAt.toISOString(),
        updatedAt: device.lastSeenAt.toISOString(),
        lastSeen: device.lastSeenAt.toISOString(),
      },
    };
  }

  /** Messages to send now, as pacing allows (the reference server's `/messages` alias too). */
  @Get(['message', 'messages'])
  @UseGuards(DeviceAuthGuard)
  messages(
    @CurrentDevice() device: DeviceIdentity,
    @Query() query: unknown,
  ): Promise<MobileMessage[]> {
    const { order } = parseInput(messagesQuery, query, 'query');
    return this.handouts.handout(device, order);
  }

  /** State reports; unknown ids and repeated reports are accepted and change nothing. */
  @Patch(['message', 'messages'])
  @HttpCode(204)
  @UseGuards(DeviceAuthGuard)
  async reportStates(@CurrentDevice() device: DeviceIdentity, @Body() body: unknown) {
    await this.handouts.report(device, parseInput(patchMessagesBody, body, 'state report'));
  }

  /**
   * Server-Sent Events: `MessageEnqueued` when there is something to pull, `MessageCancelled`
   * `{messageId}`, and a `:keepalive` comment at least every 15 s, which also keeps the device
   * online.
   */
  @Get('events')
  @UseGuards(DeviceAuthGuard)
  events(@CurrentDevice() device: DeviceIdentity, @Req() req: Request, @Res() res: Response) {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setTimeout(0);
    let open = true;
    const timer: { keepalive?: NodeJS.Timeout; detach?: () => void } = {};
    const finish = () => {
      open = false;
      clearInterval(timer.keepalive);
      timer.detach?.();
    };
    const write = (chunk: string) => {
      if (open) res.write(chunk);
    };
    const stream: EventStream = {
      send: (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      close: () => {
        if (open) res.end();
        finish();
      },
    };
    write(':connected\n\n');
    timer.detach = this.wakeups.attach(device.deviceId, stream);
    timer.keepalive = setInterval(() => {
      write(':keepalive\n\n');
      this.status
        .touch(device)
        .then((exists) => exists || stream.close())
        .catch(() => undefined);
    }, this.config.SSE_KEEPALIVE_SECONDS * 1000);
    req.on('close', finish);
  }

  /**
   * Where the phone posts inbound SMS and MMS notifications (`sms:received`, `mms:received`):
   * our receiver, signed with its key from `/settings`. The app posts an event only to the
   * webhooks registered for it, so each event needs its own entry (same URL).
   */
  @Get('webhooks')
  @UseGuards(DeviceAuthGuard)
  webhooks(@CurrentDevice() device: DeviceIdentity) {
    const url = `${this.config.deviceHooksUrl}/${device.orgId}/${device.deviceId}`;
    return [
      { id: 'switchboard-sms-received', deviceId: device.deviceId, url, event: 'sms:received' },
      { id: 'switchboard-mms-received', deviceId: device.deviceId, url, event: 'mms:received' },
    ];
  }

  /** Settings the app imports: our webhook signing key, SSE without FCM, a ping to pull. */
  @Get('settings')
  @UseGuards(DeviceAuthGuard)
  async settings(@CurrentDevice() identity: DeviceIdentity) {
    const device = await this.registration.deviceOf(identity);
    return {
      webhooks: { signing_key: this.registration.signingKeyOf(device) },
      gateway: { notification_channel: 'SSE_ONLY' },
      ...(this.config.PING_INTERVAL_SECONDS > 0
        ? { ping: { interval_seconds: this.config.PING_INTERVAL_SECONDS } }
        : {}),
    };
  }
}
