import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, TenantRepository } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DeviceEventsWriter } from '../common/device-events.writer';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { parseInput } from '../common/validation';
import { toE164 } from '../domain/phone-numbers';
import { verifyWebhookSignature } from '../domain/webhook-signature';
import { DeviceStatusService } from '../fleet/device-status.service';
import { FleetRepository } from '../fleet/fleet.repository';
import { RegistrationService } from '../registration/registration.service';
import {
  mmsReceivedPayload,
  smsReceivedPayload,
  webhookEnvelope,
  type MmsReceived,
} from './inbound.dto';
import { InboundRepository } from './inbound.repository';

export interface SignedCall {
  orgId: string;
  deviceId: string;
  rawBody: Buffer | undefined;
  body: unknown;
  signature: string | undefined;
  timestamp: string | undefined;
}

/** A stable event id for one SMS of one device, so a re-post can't make a second event. */
function inboundEventId(deviceId: string, messageId: string): string {
  const hex = createHash('sha256').update(`${deviceId}\n${messageId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The phones' webhook calls (`POST /api/device-hooks/<org>/<device>`). The signature is checked
 * first, on the raw bytes, with the device's own key; then the timestamp's freshness, a replay
 * (a signature already seen), and the body's shape. An `sms:received` becomes an
 * InboundMessageEvent, once per SMS however often the app posts it (it retries). A call that
 * fails any check writes nothing.
 */
@Injectable()
export class InboundService {
  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly dataSource: DataSource,
    private readonly fleet: FleetRepository,
    private readonly tenants: TenantRepository,
    private readonly repo: InboundRepository,
    private readonly registration: RegistrationService,
    private readonly status: DeviceStatusService,
    private readonly events: DeviceEventsWriter,
    private readonly clock: Clock,
  ) {}

  async receive(call: SignedCall): Promise<void> {
    const rawBody = call.rawBody;
    if (!rawBody) {
      throw new DevicesException(DevicesErrorCode.INVALID_REQUEST, 'Expected a JSON body');
    }
    await inTenantTransaction(this.dataSource, call.orgId, async (tx) => {
      if (await this.tenants.isClosed(tx, call.orgId)) {
        throw new DevicesException(DevicesErrorCode.ORGANIZATION_CLOSED, 'Organization closed');
      }
      const device = await this.fleet.device(tx, call.deviceId);
      if (!device) throw badSignature('unknown device');
      const now = this.clock.now();
      const check = verifyWebhookSignature({
        key: this.registration.signingKeyOf(device),
        rawBody,
        timestamp: call.timestamp,
        signature: call.signature,
        nowMs: now.getTime(),
        maxSkewSeconds: this.config.WEBHOOK_MAX_SKEW_SECONDS,
      });
      if (!check.ok) throw badSignature(check.reason);
      const envelope = parseInput(webhookEnvelope, call.body, 'webhook');
      if (envelope.deviceId && envelope.deviceId !== device.id) {
        throw new DevicesException(DevicesErrorCode.DEVICE_MISMATCH, 'Not this device');
      }
      const payload =
        envelope.event === 'sms:received'
          ? {
              ...parseInput(smsReceivedPayload, envelope.payload, 'sms:received payload'),
              mms: undefined,
            }
          : envelope.event === 'mms:received'
            ? smsOfMms(parseInput(mmsReceivedPayload, envelope.payload, 'mms:received payload'))
            : undefined;
      const fresh = await this.repo.recordSignature(tx, {
        orgId: device.orgId,
        deviceId: device.id,
        signature: call.signature!.toLowerCase(),
        now,
      });
      if (!fresh) {
        throw new DevicesException(DevicesErrorCode.REPLAYED_REQUEST, 'Request already received');
      }
      await this.status.seen(tx, device);
      const first = await this.repo.recordReceipt(tx, {
        orgId: device.orgId,
        deviceId: device.id,
        eventId: envelope.id,
        event: envelope.event,
        now,
      });
      if (!first || !payload) return; // a retry of a call already applied
      await this.events.inbound(tx, {
        eventId: inboundEventId(device.id, payload.messageId),
        id: payload.messageId,
        orgId: device.orgId,
        deviceId: device.id,
        fromE164: toE164(payload.sender),
        fromRaw: payload.sender,
        toE164: toE164(payload.recipient),
        body: payload.message,
        simNumber: payload.simNumber ?? null,
        receivedAt: new Date(Date.parse(payload.receivedAt)),
        mms: payload.mms,
      });
    });
  }
}

/** An MMS notification as an inbound message: its subject is the body (media stays on the phone). */
function smsOfMms(mms: MmsReceived) {
  return {
    messageId: mms.messageId,
    message: mms.subject ?? '',
    sender: mms.sender,
    recipient: mms.recipient,
    simNumber: mms.simNumber,
    receivedAt: mms.receivedAt,
    mms: {
      transactionId: mms.transactionId ?? '',
      size: BigInt(mms.size ?? 0),
      contentClass: mms.contentClass ?? '',
      mediaUrls: [] as string[],
    },
  };
}

function badSignature(reason: string): DevicesException {
  return new DevicesException(DevicesErrorCode.INVALID_SIGNATURE, 'Invalid webhook signature', {
    details: { reason },
  });
}
