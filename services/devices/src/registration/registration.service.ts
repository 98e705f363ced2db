import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateOpaqueToken, isOpaqueToken, OpaqueTokenPrefix } from '@switchboard/auth';
import {
  RateLimiter,
  rateLimited,
  rateLimitKeys,
  TokenBucket,
  type RateLimitCheck,
} from '@switchboard/rate-limit';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction, TenantRepository } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { CredentialRepository } from '../common/credential.repository';
import { DeviceEventsWriter } from '../common/device-events.writer';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { SecretBox } from '../domain/secret-box';
import { deviceNameParts, simsOf, type ReportedSim } from '../domain/sims';
import { hashToken, newSigningKey } from '../domain/tokens';
import { EnrollmentRepository } from '../enrollment/enrollment.repository';
import { deviceFacts, type DeviceIdentity, type DeviceRow } from '../fleet/device.record';
import { DeviceStatusService } from '../fleet/device-status.service';
import { FleetRepository } from '../fleet/fleet.repository';
import { AssignmentService } from '../queue/assignment.service';

export const DEVICE_API_BUCKETS_TABLE = 'device_api_buckets';

/**
 * The answer to `POST /device` (client-go MobileRegisterResponse), plus `status` when the phone
 * must wait for the organization's approval (the app ignores it; our device agent reports it).
 */
export interface Registered {
  id: string;
  token: string;
  login: string;
  status?: 'PENDING_APPROVAL';
}

/**
 * A phone joining and speaking for itself: registering with an enrollment token (`POST
 * /device`), authenticating every later call with its own device token, updating its push
 * token and SIMs, and the webhook signing key it signs inbound SMS with.
 */
@Injectable()
export class RegistrationService {
  private readonly secrets: SecretBox;
  /** The device API's requests per device (`DEVICE_API_REQUESTS_PER_MINUTE`). */
  private readonly apiBuckets = new TokenBucket(DEVICE_API_BUCKETS_TABLE);

  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly dataSource: DataSource,
    private readonly repo: FleetRepository,
    private readonly credentials: CredentialRepository,
    private readonly tenants: TenantRepository,
    private readonly enrollments: EnrollmentRepository,
    private readonly status: DeviceStatusService,
    private readonly assignment: AssignmentService,
    private readonly events: DeviceEventsWriter,
    private readonly limits: RateLimiter,
    private readonly clock: Clock,
  ) {
    this.secrets = new SecretBox(config.secretKey);
  }

  /**
   * `POST /device` with `Authorization: Bearer <enrollment token>`: a new device of the token's
   * organization, with a device token shown only now.
   */
  async register(
    enrollmentToken: string | null,
    input: { name?: string | null; pushToken?: string | null; simCards?: ReportedSim[] },
    appVersion: string | null,
    clientIp: string,
  ): Promise<Registered> {
    // Counted before the token is looked at: guessing tokens costs attempts too.
    const checks: RateLimitCheck[] = [
      {
        key: rateLimitKeys.ip(clientIp),
        limit: { max: this.config.DEVICE_REGISTRATIONS_PER_IP_PER_HOUR, windowSeconds: 3600 },
      },
    ];
    if (enrollmentToken) {
      checks.push({
        key: rateLimitKeys.hashed('enrollment', enrollmentToken),
        limit: { max: this.config.DEVICE_REGISTRATIONS_PER_TOKEN_PER_HOUR, windowSeconds: 3600 },
      });
    }
    await this.limits.enforce('device-registration', checks);
    if (!isOpaqueToken(OpaqueTokenPrefix.enrollment, enrollmentToken)) throw invalidEnrollment();
    const now = this.clock.now();
    // The organization is the enrollment token's: found first, then entered.
    return inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
      const credential = await this.credentials.find(tx, hashToken(enrollmentToken), 'enrollment');
      if (!credential || (credential.expiresAt && credential.expiresAt <= now)) {
        throw invalidEnrollment();
      }
      const orgId = credential.orgId;
      await enterTenant(orgId);
      if (await this.tenants.isClosed(tx, orgId)) throw organizationClosed();
      const use = await this.enrollments.use(tx, credential.subjectId, now);
      if (!use.ok) throw use.why === 'exhausted' ? exhaustedEnrollment() : invalidEnrollment();
      await this.tenants.register(tx, orgId);
      // A phone from a shared token may be a stranger's: it waits for the organization.
      const pending =
        use.maxUses > 1 && (await this.repo.settings(tx)).requireApprovalForSharedEnrollments;

      const id = randomUUID();
      const token = generateOpaqueToken(OpaqueTokenPrefix.device);
      const { name, manufacturer, model } = deviceNameParts(input.name);
      await this.repo.insert(tx, {
        orgId,
        id,
        enrollmentId: use.id,
        name,
        manufacturer,
        model,
        appVersion,
        pushToken: input.pushToken ?? null,
        approved: !pending,
        sendRatePerMinute: Math.min(
          this.config.DEFAULT_SEND_RATE_PER_MINUTE,
          this.config.MAX_SEND_RATE_PER_MINUTE,
        ),
        sealedSigningKey: this.secrets.seal(newSigningKey(), id),
        now,
      });
      const sims = simsOf(input.simCards);
      await this.repo.replaceSims(tx, orgId, id, sims);
      await this.credentials.add(tx, orgId, hashToken(token), 'device', id, null);
      await this.events.deviceRegistered(
        tx,
        deviceFacts({ id, orgId, name, manufacturer, model, appVersion }, sims),
        pending ? 'PENDING_APPROVAL' : 'ONLINE',
      );
      if (pending) return { id, token, login: id, status: 'PENDING_APPROVAL' as const };
      await this.assignment.assignPool(tx);
      return { id, token, login: id };
    });
  }

  /**
   * The device behind a device token, or INVALID_DEVICE_TOKEN (401: the app then registers
   * again). Being authenticated counts as being seen.
   */
  async authenticate(token: string | null): Promise<DeviceIdentity> {
    if (!isOpaqueToken(OpaqueTokenPrefix.device, token)) throw invalidDeviceToken();
    return inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
      const credential = await this.credentials.find(tx, hashToken(token), 'device');
      if (!credential) throw invalidDeviceToken();
      await enterTenant(credential.orgId);
      // The organization, the device and its API limit's take in one statement: a refusal
      // throws, and the rollback gives the token back.
      const perMinute = this.config.DEVICE_API_REQUESTS_PER_MINUTE;
      const limit = { rate: perMinute / 60, burst: perMinute };
      const {
        organizationClosed: closed,
        device,
        bucketTokens,
      } = await this.repo.requestingDevice(
        tx,
        credential.orgId,
        credential.subjectId,
        this.apiBuckets.takeStatement(`device:${credential.subjectId}`, limit, this.clock.now()),
      );
      if (closed) throw organizationClosed();
      if (!device) throw invalidDeviceToken();
      const taken = this.apiBuckets.verdict(bucketTokens, limit);
      if (!taken.allowed) throw rateLimited(taken.retryAfterSeconds);
      await this.status.seen(tx, device);
      return { deviceId: device.id, orgId: device.orgId };
    });
  }

  /** `PATCH /device`: the phone's push token and SIMs. */
  async patchFromDevice(
    identity: DeviceIdentity,
    input: { id: string; pushToken?: string | null; simCards?: ReportedSim[] },
  ): Promise<void> {
    if (input.id !== identity.deviceId) {
      throw new DevicesException(DevicesErrorCode.DEVICE_MISMATCH, 'Not this device');
    }
    await inTenantTransaction(this.dataSource, identity.orgId, async (tx) => {
      const device = await this.repo.device(tx, identity.deviceId, { lock: true });
      if (!device) throw invalidDeviceToken();
      if (input.pushToken !== undefined) {
        await this.repo.setPushToken(tx, device.id, input.pushToken, this.clock.now());
      }
      if (input.simCards !== undefined) {
        const sims = simsOf(input.simCards);
        const before = await this.repo.sims(tx, [device.id]);
        const same =
          JSON.stringify(before.map(({ deviceId: _d, ...s }) => s)) === JSON.stringify(sims);
        if (!same) {
          await this.repo.replaceSims(tx, device.orgId, device.id, sims);
          await this.events.deviceUpdated(tx, deviceFacts(device, sims));
        }
      }
    });
  }

  /** The phone's webhook signing key, in clear (for `/settings` and verifying its webhooks). */
  signingKeyOf(device: Pick<DeviceRow, 'id' | 'webhookSigningKey'>): string {
    return this.secrets.open(device.webhookSigningKey, device.id);
  }

  async deviceOf(identity: DeviceIdentity): Promise<DeviceRow> {
    const device = await inTenantTransaction(this.dataSource, identity.orgId, (tx) =>
      this.repo.device(tx, identity.deviceId),
    );
    if (!device) throw invalidDeviceToken();
    return device;
  }
}

function invalidEnrollment(): DevicesException {
  return new DevicesException(
    DevicesErrorCode.INVALID_ENROLLMENT_TOKEN,
    'Invalid, expired or revoked enrollment token',
  );
}

function exhaustedEnrollment(): DevicesException {
  return new DevicesException(
    DevicesErrorCode.ENROLLMENT_EXHAUSTED,
    'This enrollment token has been used up (single-use unless created with maxUses): create a new one',
  );
}

function organizationClosed(): DevicesException {
  return new DevicesException(
    DevicesErrorCode.ORGANIZATION_CLOSED,
    'The organization was closed: its phones are no longer accepted',
  );
}

function invalidDeviceToken(): DevicesException {
  return new DevicesException(DevicesErrorCode.INVALID_DEVICE_TOKEN, 'Invalid device token');
}
