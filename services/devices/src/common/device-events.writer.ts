import { Injectable } from '@nestjs/common';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { devicesV1, Topics } from '@switchboard/contracts';
import {
  OutboxWriter,
  type AuditRecord,
  type EventDraft,
  type SqlRunner,
} from '@switchboard/events';
import type { SqlStatement } from '@switchboard/tenancy';
import { Clock } from '@switchboard/service-kit';
import type { DeviceStatus } from '../domain/device-status';
import type { ReportedState } from '../domain/message-states';

/** What DeviceRegistered/DeviceUpdated carry about a device. */
export interface DeviceFacts {
  id: string;
  orgId: string;
  name: string;
  manufacturer: string | null;
  model: string | null;
  appVersion: string | null;
  sims: { slot: number; carrierName: string | null; maskedNumber: string | null }[];
}

/** What a message state says besides its state. */
export interface MessageStateExtra {
  at?: Date;
  errorCode?: string;
  errorMessage?: string;
  reason?: string;
}

/** The queue row a message state is about. */
export interface MessageRef {
  messageId: string;
  orgId: string;
  deviceId: string | null;
  attempt: number;
  simNumber: number | null;
}

const STATUS: Record<DeviceStatus, devicesV1.DeviceStatus> = {
  ONLINE: devicesV1.DeviceStatus.ONLINE,
  OFFLINE: devicesV1.DeviceStatus.OFFLINE,
  DISABLED: devicesV1.DeviceStatus.DISABLED,
  QUARANTINED: devicesV1.DeviceStatus.QUARANTINED,
  PENDING_APPROVAL: devicesV1.DeviceStatus.PENDING_APPROVAL,
};

const STATE: Record<ReportedState, devicesV1.MessageState> = {
  DISPATCHED: devicesV1.MessageState.DISPATCHED,
  PROCESSED: devicesV1.MessageState.PROCESSED,
  SENT: devicesV1.MessageState.SENT,
  DELIVERED: devicesV1.MessageState.DELIVERED,
  FAILED: devicesV1.MessageState.FAILED,
  CANCELED: devicesV1.MessageState.CANCELED,
  EXPIRED: devicesV1.MessageState.EXPIRED,
  RELEASED: devicesV1.MessageState.RELEASED,
};

/**
 * Every event the devices service publishes, written to the outbox in the caller's transaction
 * (so it is published if and only if the change commits), keyed as the topic catalog says, with
 * the organization as `ce_orgid`.
 */
@Injectable()
export class DeviceEventsWriter {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  /**
   * An audit log entry about the organization's devices (compliance.audit.v1), in the
   * transaction of the audited change.
   */
  async audit(
    tx: SqlRunner,
    orgId: string,
    entry: Omit<AuditRecord, 'orgId' | 'occurredAt' | 'outcome'>,
  ): Promise<void> {
    await this.outbox.audit(tx, {
      ...entry,
      orgId,
      outcome: 'success',
      occurredAt: this.clock.now(),
    });
  }

  async messageState(
    tx: SqlRunner,
    ref: MessageRef,
    state: ReportedState,
    extra: MessageStateExtra = {},
  ): Promise<void> {
    await this.outbox.add(tx, this.messageStateDraft(ref, state, extra));
  }

  /** The outbox INSERT of several message states, not run (for runTogether); none for none. */
  messageStatesStatement(
    states: readonly { ref: MessageRef; state: ReportedState; extra?: MessageStateExtra }[],
  ): SqlStatement | undefined {
    return this.outbox.statement(
      states.map(({ ref, state, extra }) => this.messageStateDraft(ref, state, extra)),
    );
  }

  private messageStateDraft(
    ref: MessageRef,
    state: ReportedState,
    extra: MessageStateExtra = {},
  ): EventDraft<typeof devicesV1.MessageStateEventSchema> {
    return {
      topic: Topics.devices.messageState,
      key: ref.messageId,
      orgId: ref.orgId,
      event: {
        messageId: ref.messageId,
        orgId: ref.orgId,
        deviceId: ref.deviceId ?? '',
        state: STATE[state],
        errorCode: extra.errorCode ?? '',
        errorMessage: extra.errorMessage ?? '',
        occurredAt: timestampFromDate(extra.at ?? this.clock.now()),
        attempt: ref.attempt,
        simNumber: ref.simNumber ?? 0,
        reason: extra.reason ?? '',
      },
    };
  }

  async deviceRegistered(
    tx: SqlRunner,
    device: DeviceFacts,
    status: DeviceStatus = 'ONLINE',
  ): Promise<void> {
    await this.deviceEvent(tx, device.orgId, device.id, {
      case: 'registered',
      value: { device: this.device(device), status: STATUS[status] },
    });
  }

  async deviceUpdated(tx: SqlRunner, device: DeviceFacts): Promise<void> {
    await this.deviceEvent(tx, device.orgId, device.id, {
      case: 'updated',
      value: { device: this.device(device) },
    });
  }

  async statusChanged(
    tx: SqlRunner,
    orgId: string,
    deviceId: string,
    status: DeviceStatus,
    previous: DeviceStatus,
    reason: string,
  ): Promise<void> {
    await this.deviceEvent(tx, orgId, deviceId, {
      case: 'statusChanged',
      value: { status: STATUS[status], previousStatus: STATUS[previous], reason },
    });
  }

  async removed(tx: SqlRunner, orgId: string, deviceId: string, reason: string): Promise<void> {
    await this.deviceEvent(tx, orgId, deviceId, { case: 'removed', value: { reason } });
  }

  async inbound(
    tx: SqlRunner,
    message: {
      eventId: string;
      id: string;
      orgId: string;
      deviceId: string;
      fromE164: string | null;
      fromRaw: string;
      toE164: string | null;
      body: string;
      simNumber: number | null;
      receivedAt: Date;
      /** An MMS (its notification): body is its subject. */
      mms?: { transactionId: string; size: bigint; contentClass: string; mediaUrls: string[] };
    },
  ): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.devices.inbound,
      key: message.orgId,
      subject: message.deviceId,
      orgId: message.orgId,
      id: message.eventId,
      event: {
        id: message.id,
        orgId: message.orgId,
        deviceId: message.deviceId,
        from: { e164: message.fromE164 ?? '' },
        fromRaw: message.fromRaw,
        to: { e164: message.toE164 ?? '' },
        body: message.body,
        simNumber: message.simNumber ?? 0,
        receivedAt: timestampFromDate(message.receivedAt),
        mms: message.mms,
      },
    });
  }

  private device(facts: DeviceFacts) {
    return {
      name: facts.name,
      manufacturer: facts.manufacturer ?? '',
      model: facts.model ?? '',
      appVersion: facts.appVersion ?? '',
      sims: facts.sims.map((s) => ({
        slot: s.slot,
        operator: s.carrierName ?? '',
        maskedNumber: s.maskedNumber ?? '',
      })),
    };
  }

  private async deviceEvent(
    tx: SqlRunner,
    orgId: string,
    deviceId: string,
    event: MessageInitShape<typeof devicesV1.DeviceEventSchema>['event'],
  ): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.devices.device,
      key: deviceId,
      orgId,
      event: { deviceId, orgId, occurredAt: timestampFromDate(this.clock.now()), event },
    });
  }
}
