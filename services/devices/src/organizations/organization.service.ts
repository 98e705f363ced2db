import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { TenantRepository } from '@switchboard/tenancy';
import { DeviceStatusService } from '../fleet/device-status.service';
import { FleetRepository } from '../fleet/fleet.repository';
import { DeviceWakeups } from '../presence/device-wakeups';
import { AssignmentService } from '../queue/assignment.service';
import { OrganizationRepository } from './organization.repository';

export const ORGANIZATION_CLOSED_REASON = 'organization closed';

/**
 * What an organization's lifecycle (accounts.organization.v1) means for its fleet, in the
 * consumer's tenant transaction. Closure stops the fleet: device and enrollment tokens are
 * refused (401 ORGANIZATION_CLOSED), open SSE streams close, and every open message is
 * RELEASED back to messaging with the reason. Canceling the deletion reopens it. The purge
 * deletes every devices row of the organization.
 */
@Injectable()
export class OrganizationService {
  private readonly logger = new Logger(OrganizationService.name);

  constructor(
    private readonly fleet: FleetRepository,
    private readonly tenants: TenantRepository,
    private readonly organizations: OrganizationRepository,
    private readonly assignment: AssignmentService,
    private readonly status: DeviceStatusService,
    private readonly wakeups: DeviceWakeups,
    private readonly clock: Clock,
  ) {}

  async close(tx: EntityManager, orgId: string): Promise<void> {
    await this.tenants.setClosed(tx, orgId, this.clock.now());
    let released = await this.assignment.releasePool(tx, ORGANIZATION_CLOSED_REASON);
    const devices = await this.fleet.active(tx);
    for (const device of devices) {
      // Processed ones too: no phone of a closed organization reports again.
      released += await this.assignment.releaseDevice(tx, device.id, ORGANIZATION_CLOSED_REASON, {
        includeProcessed: true,
      });
      await this.wakeups.disconnectOnCommit(tx, device.id);
      // Its phones can no longer connect: OFFLINE (a status event each) until a reopening.
      if (device.connected) {
        await this.status.changeFacts(tx, device, { connected: false }, ORGANIZATION_CLOSED_REASON);
      }
    }
    this.logger.log({
      msg: 'fleet stopped: organization closed',
      orgId,
      devices: devices.length,
      released,
    });
  }

  async reopen(tx: EntityManager, orgId: string): Promise<void> {
    await this.tenants.setClosed(tx, orgId, null);
  }

  async purge(tx: EntityManager, orgId: string): Promise<void> {
    const devices = await this.fleet.active(tx);
    for (const device of devices) await this.wakeups.disconnectOnCommit(tx, device.id);
    const deleted = await this.organizations.purge(tx, orgId);
    this.logger.log({ msg: 'organization purged', orgId, deleted });
  }
}
