import { Inject, Injectable, Logger } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { devicesV1 } from '@switchboard/contracts';
import { Metrics } from '@switchboard/observability';
import { Clock } from '@switchboard/service-kit';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { ConversationThreading } from '../conversations/conversation-threading';
import { decideOnDeviceReport, type DeviceReport, type DeviceState } from '../domain/device-report';
import { STATUS_TIMESTAMP } from '../domain/message-status';
import { MessageLifecycle } from './message-lifecycle';
import { dispatchCommandDraft } from './message-events';
import type { MessagePatch, MessageRecord } from './message.record';
import { MessagesRepository } from './messages.repository';
import { RoutingService } from '../routing/routing.service';

/** The devices service's report on an outbound message, in domain terms. */
export function deviceReportOf(event: devicesV1.MessageStateEvent): DeviceReport {
  return {
    state: devicesV1.MessageState[event.state] as DeviceState,
    attempt: event.attempt,
    deviceId: event.deviceId,
    errorCode: event.errorCode,
    errorMessage: event.errorMessage,
    reason: event.reason,
    occurredAt: event.occurredAt ? timestampDate(event.occurredAt) : null,
    simNumber: event.simNumber,
  };
}

/**
 * Applies the devices service's reports (devices.message-state.v1) to messages: status
 * transitions with their events, re-dispatch to another device after RELEASED or a device
 * failure, conversation threading once the sending device is known.
 */
@Injectable()
export class MessageTrackingService {
  private readonly logger = new Logger(MessageTrackingService.name);
  private readonly reports;

  constructor(
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly messages: MessagesRepository,
    private readonly lifecycle: MessageLifecycle,
    private readonly threading: ConversationThreading,
    private readonly clock: Clock,
    metrics: Metrics,
    private readonly routing: RoutingService,
  ) {
    this.reports = metrics.counter(
      'messaging_device_reports_total',
      'Device reports on outbound messages, by reported state and what they did.',
      ['state', 'action'],
    );
  }

  /** Runs in the consumer's transaction, tenant set. */
  async onDeviceReport(tx: EntityManager, event: devicesV1.MessageStateEvent): Promise<void> {
    const report = deviceReportOf(event);
    const record = await this.messages.findById(tx, event.messageId, { forUpdate: true });
    if (!record || record.direction !== 'OUTBOUND') {
      // Not a message of this organization (or not ours at all): nothing to apply.
      this.reports.inc({ state: report.state, action: 'unknown-message' });
      return;
    }
    // A message taken back from the pool to fail over (routing/): devices confirmed nothing sent it.
    if (
      report.state === 'CANCELED' &&
      (await this.routing.onDeviceWithdrawn(tx, record, report.attempt))
    ) {
      this.reports.inc({ state: report.state, action: 'failover' });
      return;
    }
    const now = this.clock.now();
    const decision = decideOnDeviceReport(
      {
        status: record.status,
        attempt: record.attempt,
        deviceId: record.deviceId,
        excludedDeviceIds: record.excludedDeviceIds,
        validUntil: record.validUntil,
        timestamps: record,
      },
      report,
      { maxAttempts: this.config.MESSAGE_MAX_DISPATCH_ATTEMPTS, now },
    );
    this.reports.inc({ state: report.state, action: decision.action });
    switch (decision.action) {
      case 'ignore':
        this.logger.debug({
          msg: 'device report ignored',
          messageId: record.id,
          reason: decision.reason,
        });
        return;
      case 'redispatch':
        await this.lifecycle.change(
          tx,
          record,
          {
            attempt: decision.attempt,
            excludedDeviceIds: decision.excludedDeviceIds,
            // The preferred device failed: let the pool choose among the others.
            requestedDeviceId: null,
            requestedSimNumber: null,
          },
          [],
          (after) => [dispatchCommandDraft(after, now)],
          now,
        );
        return;
      case 'record': {
        // The pool gave up on it: another route of the organization may take it (routing/).
        if (
          decision.statusChanged &&
          decision.status === 'FAILED' &&
          decision.error &&
          (await this.routing.onDeviceFailed(tx, record, decision.error))
        ) {
          return;
        }
        const patch: MessagePatch = {
          route: 'DEVICE',
          deviceId: decision.deviceId,
          simNumber: decision.simNumber ?? record.simNumber,
        };
        if (decision.statusChanged) {
          patch.status = decision.status;
          if (decision.error) patch.error = decision.error;
        }
        const stamp = STATUS_TIMESTAMP[decision.reported];
        if (!record[stamp]) patch[stamp] = decision.at;
        if (
          decision.deviceId &&
          decision.reported !== 'CANCELED' &&
          decision.reported !== 'EXPIRED'
        ) {
          const sent = decision.reported === 'SENT' || decision.reported === 'DELIVERED';
          const conversationId = await this.threading.threadFor(
            tx,
            record,
            {
              deviceId: decision.deviceId,
              simNumber: decision.simNumber ?? record.simNumber ?? record.requestedSimNumber,
            },
            { move: sent, unread: false },
          );
          if (conversationId) patch.conversationId = conversationId;
        }
        await this.lifecycle.change(
          tx,
          record as MessageRecord,
          patch,
          [{ kind: decision.reported, at: decision.at }],
          undefined,
          now,
        );
        return;
      }
    }
  }
}
