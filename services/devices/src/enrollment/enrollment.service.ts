import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateOpaqueToken, OpaqueTokenPrefix } from '@switchboard/auth';
import type { AuditRecord } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, TenantRepository } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { CredentialRepository } from '../common/credential.repository';
import { DeviceEventsWriter } from '../common/device-events.writer';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { hashToken } from '../domain/tokens';
import type { EnrollmentRecord } from './enrollment.record';
import { EnrollmentRepository } from './enrollment.repository';

const MAX_TTL_MS = 30 * 24 * 3600 * 1000;
/** The most phones one enrollment token may register. */
export const MAX_USES = 1000;

/**
 * Enrollment tokens: what a user types into the SMSGate app ("Private Token") together with
 * the API URL. Organization-scoped, expiring, revocable, single-use unless created with
 * `maxUses` (a phone from a shared token then waits for approval: RegistrationService);
 * stored only as a hash and shown once.
 */
@Injectable()
export class EnrollmentService {
  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly dataSource: DataSource,
    private readonly repo: EnrollmentRepository,
    private readonly tenants: TenantRepository,
    private readonly credentials: CredentialRepository,
    private readonly events: DeviceEventsWriter,
    private readonly clock: Clock,
  ) {}

  async create(
    orgId: string,
    actor: AuditRecord['actor'],
    input: { name?: string | null; expiresAt?: Date | null; maxUses?: number | null },
  ): Promise<EnrollmentRecord & { token: string; apiUrl: string }> {
    const now = this.clock.now();
    const expiresAt =
      input.expiresAt ?? new Date(now.getTime() + this.config.ENROLLMENT_TTL_HOURS * 3600_000);
    if (expiresAt.getTime() <= now.getTime() || expiresAt.getTime() > now.getTime() + MAX_TTL_MS) {
      throw new DevicesException(
        DevicesErrorCode.INVALID_REQUEST,
        'expiresAt must be in the future and at most 30 days away',
      );
    }
    const name = input.name?.trim() || null;
    if (name && name.length > 128) {
      throw new DevicesException(DevicesErrorCode.INVALID_REQUEST, 'name is too long');
    }
    const maxUses = input.maxUses ?? 1;
    if (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > MAX_USES) {
      throw new DevicesException(
        DevicesErrorCode.INVALID_REQUEST,
        `maxUses must be a whole number from 1 to ${MAX_USES}`,
      );
    }
    const id = randomUUID();
    const createdBy = actor.id;
    const token = generateOpaqueToken(OpaqueTokenPrefix.enrollment);
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      await this.tenants.register(tx, orgId);
      await this.repo.insert(tx, { orgId, id, name, createdBy, now, expiresAt, maxUses });
      await this.credentials.add(tx, orgId, hashToken(token), 'enrollment', id, expiresAt);
      await this.events.audit(tx, orgId, {
        actor,
        action: 'device_enrollment.create',
        resourceType: 'device_enrollment',
        resourceId: id,
        metadata: { max_uses: String(maxUses), expires_at: expiresAt.toISOString() },
      });
    });
    return {
      id,
      name,
      createdAt: now,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      uses: 0,
      maxUses,
      token,
      apiUrl: this.config.deviceApiUrl,
    };
  }

  /** Revokes an enrollment token (devices already registered keep working). */
  async revoke(orgId: string, id: string, actor: AuditRecord['actor']): Promise<void> {
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (!(await this.repo.revoke(tx, id, this.clock.now()))) {
        throw new DevicesException(DevicesErrorCode.ENROLLMENT_NOT_FOUND, 'No such enrollment');
      }
      await this.credentials.delete(tx, id);
      await this.events.audit(tx, orgId, {
        actor,
        action: 'device_enrollment.revoke',
        resourceType: 'device_enrollment',
        resourceId: id,
      });
    });
  }

  list(orgId: string): Promise<EnrollmentRecord[]> {
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.repo.list(tx));
  }
}
