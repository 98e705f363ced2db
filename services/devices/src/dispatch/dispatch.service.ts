import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import type { devicesV1 } from '@switchboard/contracts';
import { Clock } from '@switchboard/service-kit';
import { countSegments } from '@switchboard/sms';
import { isUuid, oncePerTransaction, TenantRepository } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { toE164 } from '../domain/phone-numbers';
import { AssignmentService } from '../queue/assignment.service';
import type { QueueRow } from '../queue/queue-row.record';
import { QueueRepository } from '../queue/queue.repository';
import { handoutPriority } from '../domain/handout-priority';

/**
 * Commands from messaging (devices.dispatch.v1), in the consumer's tenant transaction: a
 * DispatchMessage becomes a queue row given to a device (DISPATCHED) or waiting in the
 * organization's pool; a CancelDispatch cancels what is still open.
 */
@Injectable()
export class DispatchService {
  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly queue: QueueRepository,
    private readonly tenants: TenantRepository,
    private readonly assignment: AssignmentService,
    private readonly clock: Clock,
  ) {}

  /** A `DispatchMessage` command. Idempotent per (message, attempt). */
  async dispatch(
    tx: EntityManager,
    command: devicesV1.DispatchCommand,
    dispatch: devicesV1.DispatchMessage,
  ): Promise<void> {
    const messageId = command.messageId;
    const to = toE164(dispatch.to?.e164);
    if (!messageId || messageId.length > 64) throw invalidCommand('message_id missing or too long');
    if (!to) throw invalidCommand('to is not an E.164 number');
    if (!dispatch.body) throw invalidCommand('body is empty');
    const attempt = dispatch.attempt || 1;
    // Once per transaction and organization: commands that arrive together share one (the
    // consumer's batchMax), and nothing in it closes the organization.
    const closed = await oncePerTransaction(tx, `closed:${command.orgId}`, () =>
      this.tenants.registerAndIsClosed(tx, command.orgId),
    );
    const now = this.clock.now();
    const segments = dispatch.segments || countSegments(dispatch.body);
    const validUntil = dispatch.validUntil ? timestampDate(dispatch.validUntil) : null;
    // The new attempt's row, and the older attempts' open rows it replaces, in one statement.
    const { inserted: row, older } = await this.queue.insertNewAttempt(tx, {
      orgId: command.orgId,
      id: randomUUID(),
      messageId,
      attempt,
      toE164: to,
      body: dispatch.body,
      segments,
      encoding: dispatch.encoding ? String(dispatch.encoding) : null,
      requestedSim: dispatch.simNumber || null,
      preferredDeviceId: isUuid(dispatch.deviceId) ? dispatch.deviceId : null,
      excludedDeviceIds: dispatch.excludedDeviceIds.filter((id) => isUuid(id)),
      validUntil,
      priority: handoutPriority(dispatch.priority, attempt),
      now,
    });
    if (!row) return; // the same command again
    await this.supersede(tx, older, attempt);
    if (closed) {
      await this.assignment.finish(tx, row, 'FAILED', now, {
        errorCode: 'ORGANIZATION_CLOSED',
        reason: 'organization closed',
      });
      return;
    }
    if (segments > this.config.MAX_SEND_RATE_PER_MINUTE) {
      await this.assignment.finish(tx, row, 'FAILED', now, {
        errorCode: 'LIMIT_EXCEEDED',
        reason: 'more segments than a device may send per minute',
      });
      return;
    }
    if (validUntil && validUntil <= now) {
      await this.assignment.finish(tx, row, 'EXPIRED', now, {
        reason: 'valid_until passed before a device took it',
      });
      return;
    }
    // The fleet is read once per transaction and organization too: assign updates the load of
    // the devices it picks as it goes, so the next command of the batch sees it.
    const fleet = await oncePerTransaction(tx, `fleet:${command.orgId}`, () =>
      this.assignment.candidates(tx, now),
    );
    await this.assignment.assign(tx, [row], fleet);
  }

  /** A `CancelDispatch` command. */
  async cancel(
    tx: EntityManager,
    command: devicesV1.DispatchCommand,
    reason: string,
  ): Promise<void> {
    const open = await this.queue.openOfMessage(tx, command.messageId);
    const now = this.clock.now();
    for (const row of open) {
      await this.assignment.cancel(tx, row, now, reason || 'canceled');
    }
  }

  /**
   * A new attempt replaces older ones still open (`rows`, locked by insertNewAttempt; messaging only
   * re-dispatches after a release or failure, so this is a safety net): waiting rows end
   * CANCELED, a phone holding one is asked to cancel it.
   */
  private async supersede(tx: EntityManager, rows: QueueRow[], attempt: number): Promise<void> {
    const now = this.clock.now();
    for (const row of rows) {
      await this.assignment.cancel(tx, row, now, `superseded by attempt ${attempt}`);
    }
  }
}

function invalidCommand(why: string): DevicesException {
  return new DevicesException(DevicesErrorCode.INVALID_COMMAND, `Invalid dispatch: ${why}`);
}
