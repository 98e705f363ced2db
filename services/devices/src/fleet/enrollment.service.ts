import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateOpaqueToken, OpaqueTokenPrefix } from '@switchboard/auth';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, rows } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { hashToken } from '../domain/tokens';
import { FleetRepository } from './fleet.repository';

export interface EnrollmentInfo {
  id: string;
  name: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  uses: number;
}

const MAX_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Enrollment tokens: what a user types into the SMSGate app ("Private Token") together with
 * the API URL. Organization-scoped, expiring, revocable, usable by several phones until then;
 * stored only as a hash and shown once.
 */
@Injectable()
export class EnrollmentService {
  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly dataSource: DataSource,
    private readonly repo: FleetRepository,
    private readonly clock: Clock,
  ) {}

  async create(
    orgId: string,
    createdBy: string,
    input: { name?: string | null; expiresAt?: Date | null },
  ): Promise<EnrollmentInfo & { token: string; apiUrl: string }> {
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
    const id = randomUUID();
    const token = generateOpaqueToken(OpaqueTokenPrefix.enrollment);
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      await this.repo.registerTenant(tx, orgId);
      await tx.query(
        `INSERT INTO enrollment_tokens (org_id, id, name, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [orgId, id, name, createdBy, now, expiresAt],
      );
      await this.repo.addCredential(tx, orgId, hashToken(token), 'enrollment', id, expiresAt);
    });
    return {
      id,
      name,
      createdAt: now,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      uses: 0,
      token,
      apiUrl: this.config.deviceApiUrl,
    };
  }

  /** Revokes an enrollment token (devices already registered keep working). */
  async revoke(orgId: string, id: string): Promise<void> {
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const [row] = await rows<{ id: string }>(
        tx,
        `UPDATE enrollment_tokens SET revoked_at = COALESCE(revoked_at, $2)
          WHERE id = $1 RETURNING id`,
        [id, this.clock.now()],
      );
      if (!row) {
        throw new DevicesException(DevicesErrorCode.ENROLLMENT_NOT_FOUND, 'No such enrollment');
      }
      await this.repo.deleteCredentials(tx, id);
    });
  }

  list(orgId: string): Promise<EnrollmentInfo[]> {
    return inTenantTransaction(this.dataSource, orgId, (tx) =>
      tx.query(
        `SELECT id, name, created_at AS "createdAt", expires_at AS "expiresAt",
                revoked_at AS "revokedAt", last_used_at AS "lastUsedAt", uses
           FROM enrollment_tokens ORDER BY created_at DESC LIMIT 200`,
      ),
    );
  }
}
