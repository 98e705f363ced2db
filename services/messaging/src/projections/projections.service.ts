import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accountsV1, devicesV1 } from '@switchboard/contracts';
import { ProjectionsRepository } from './projections.repository';
import type { SimProjection } from './projection.record';

const orgStatus = (status: accountsV1.OrganizationStatus) => accountsV1.OrganizationStatus[status];
const deviceStatus = (status: devicesV1.DeviceStatus) => devicesV1.DeviceStatus[status];

const simsOf = (device?: devicesV1.Device): SimProjection[] | undefined =>
  device?.sims.map((sim) => ({
    slot: sim.slot,
    operator: sim.operator,
    maskedNumber: sim.maskedNumber,
  }));

/**
 * Keeps the organization and device projections up to date (no synchronous calls to accounts
 * or devices on the send path). Runs in the consumer's transaction, tenant set; `at` is the
 * event's time, which versions the rows.
 */
@Injectable()
export class ProjectionsService {
  constructor(private readonly projections: ProjectionsRepository) {}

  async onOrganization(
    tx: EntityManager,
    orgId: string,
    message: accountsV1.OrganizationEvent,
    at: Date,
  ): Promise<void> {
    const change = message.event;
    switch (change.case) {
      case 'created':
      case 'updated': {
        const org = change.value.organization;
        if (!org) return;
        await this.projections.upsertOrganization(
          tx,
          {
            orgId,
            slug: org.slug,
            name: org.name,
            timezone: org.timezone || null,
            status: orgStatus(org.status),
            defaultCountry: org.defaultCountry ? org.defaultCountry.toUpperCase() : null,
          },
          at,
        );
        return;
      }
      case 'deletionScheduled':
        await this.projections.setOrganizationStatus(tx, orgId, 'DELETION_SCHEDULED', at);
        return;
      case 'deletionCanceled':
        await this.projections.setOrganizationStatus(
          tx,
          orgId,
          orgStatus(change.value.status) === 'UNSPECIFIED'
            ? 'ACTIVE'
            : orgStatus(change.value.status),
          at,
        );
        return;
      case 'deleted':
        await this.projections.deleteOrganizationData(tx, orgId);
        return;
      default:
        return;
    }
  }

  async onDevice(
    tx: EntityManager,
    orgId: string,
    message: devicesV1.DeviceEvent,
    at: Date,
  ): Promise<void> {
    const change = message.event;
    switch (change.case) {
      case 'registered':
        await this.projections.upsertDevice(
          tx,
          orgId,
          {
            deviceId: message.deviceId,
            name: change.value.device?.name ?? '',
            status: deviceStatus(change.value.status),
            sims: simsOf(change.value.device) ?? [],
          },
          at,
          true,
        );
        return;
      case 'updated':
        await this.projections.upsertDevice(
          tx,
          orgId,
          {
            deviceId: message.deviceId,
            name: change.value.device?.name,
            sims: simsOf(change.value.device),
          },
          at,
        );
        return;
      case 'statusChanged':
        await this.projections.upsertDevice(
          tx,
          orgId,
          { deviceId: message.deviceId, status: deviceStatus(change.value.status) },
          at,
        );
        return;
      case 'removed':
        await this.projections.removeDevice(tx, orgId, message.deviceId, at);
        return;
      default:
        return;
    }
  }
}
