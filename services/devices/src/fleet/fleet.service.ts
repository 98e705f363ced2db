import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { generateOpaqueToken, isOpaqueToken, OpaqueTokenPrefix } from '@switchboard/auth';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction, rows } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DeviceEventsWriter, type DeviceFacts } from '../common/device-events.writer';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { deviceStatus } from '../domain/device-status';
import { recordOutcome, type Outcome } from '../domain/health';
import { maskNumber } from '../domain/phone-numbers';
import { SecretBox } from '../domain/secret-box';
import type { SimPolicy } from '../domain/selection';
import { hashToken, newSigningKey } from '../domain/tokens';
import { QueueService } from '../dispatch/queue.service';
import { DeviceWakeups } from '../presence/device-wakeups';
import { FleetRepository, type DeviceRow, type SimRow } from './fleet.repository';

/** Who a device API call comes from, once its token is verified. */
export interface DeviceIdentity {
  deviceId: string;
  orgId: string;
}

export interface ReportedSim {
  slotIndex: number;
  simNumber: number;
  phoneNumber?: string | null;
  carrierName?: string | null;
}

export interface DeviceSettingsChange {
  name?: string;
  enabled?: boolean;
  sendRatePerMinute?: number;
  dailyLimit?: number | null;
  simPolicy?: SimPolicy;
}

export function statusOf(device: Pick<DeviceRow, 'enabled' | 'quarantinedAt' | 'connected'>) {
  return deviceStatus({
    enabled: device.enabled,
    quarantined: device.quarantinedAt !== null,
    connected: device.connected,
  });
}

/**
 * The fleet: phones registering with enrollment tokens, authenticating with device tokens,
 * being seen (online/offline), changed by the organization, quarantined by their health, and
 * removed. Every status change is a DeviceStatusChanged event; leaving the pool releases the
 * device's queue, (re)joining it takes messages waiting in the organization's pool.
 */
@Injectable()
export class FleetService {
  private readonly logger = new Logger(FleetService.name);
  private readonly secrets: SecretBox;

  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly dataSource: DataSource,
    private readonly repo: FleetRepository,
    private readonly queue: QueueService,
    private readonly events: DeviceEventsWriter,
    private readonly wakeups: DeviceWakeups,
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
  ): Promise<{ id: string; token: string; login: string }> {
    if (!isOpaqueToken(OpaqueTokenPrefix.enrollment, enrollmentToken)) throw invalidEnrollment();
    const now = this.clock.now();
    // The organization is the enrollment token's: found first, then entered.
    return inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
      const credential = await this.repo.findCredential(
        tx,
        hashToken(enrollmentToken),
        'enrollment',
      );
      if (!credential || (credential.expiresAt && credential.expiresAt <= now)) {
        throw invalidEnrollment();
      }
      const orgId = credential.orgId;
      await enterTenant(orgId);
      const [enrollment] = await rows<{ id: string }>(
        tx,
        `UPDATE enrollment_tokens SET uses = uses + 1, last_used_at = $2
          WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2
          RETURNING id`,
        [credential.subjectId, now],
      );
      if (!enrollment) throw invalidEnrollment();
      await this.repo.registerTenant(tx, orgId);

      const id = randomUUID();
      const token = generateOpaqueToken(OpaqueTokenPrefix.device);
      const reportedName = input.name?.trim() || 'Android phone';
      // The app sends "<MANUFACTURER>/<PRODUCT>".
      const [manufacturer, model] = reportedName.includes('/')
        ? reportedName.split('/', 2)
        : [null, reportedName];
      await tx.query(
        `INSERT INTO devices (org_id, id, enrollment_id, name, manufacturer, model, app_version,
                              push_token, send_rate_per_minute, last_seen_at,
                              webhook_signing_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $10)`,
        [
          orgId,
          id,
          enrollment.id,
          reportedName,
          manufacturer,
          model,
          appVersion,
          input.pushToken ?? null,
          Math.min(this.config.DEFAULT_SEND_RATE_PER_MINUTE, this.config.MAX_SEND_RATE_PER_MINUTE),
          now,
          this.secrets.seal(newSigningKey(), id),
        ],
      );
      const sims = simsOf(input.simCards);
      await this.repo.replaceSims(tx, orgId, id, sims);
      await this.repo.addCredential(tx, orgId, hashToken(token), 'device', id, null);
      await this.events.deviceRegistered(
        tx,
        this.facts({ id, orgId, name: reportedName, manufacturer, model, appVersion }, sims),
      );
      await this.queue.assignPool(tx);
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
      const credential = await this.repo.findCredential(tx, hashToken(token), 'device');
      if (!credential) throw invalidDeviceToken();
      await enterTenant(credential.orgId);
      const device = await this.repo.device(tx, credential.subjectId);
      if (!device) throw invalidDeviceToken();
      await this.seen(tx, device);
      return { deviceId: device.id, orgId: device.orgId };
    });
  }

  /**
   * Records that the device was heard from (a request, an SSE keepalive). Writes at most every
   * few seconds per device; a device that was offline comes back online, which may take
   * messages from the pool.
   */
  async seen(tx: EntityManager, device: DeviceRow): Promise<void> {
    const now = this.clock.now();
    const throttleMs = Math.min(5000, (this.config.DEVICE_OFFLINE_AFTER_SECONDS * 1000) / 4);
    if (device.connected && now.getTime() - device.lastSeenAt.getTime() < throttleMs) return;
    if (device.connected) {
      await tx.query(`UPDATE devices SET last_seen_at = $2 WHERE id = $1`, [device.id, now]);
      return;
    }
    const locked = await this.repo.device(tx, device.id, { lock: true });
    if (!locked) return;
    await this.changeFacts(tx, locked, { connected: true }, 'device reconnected');
  }

  /** `seen` from outside a transaction (SSE keepalives). */
  async touch(identity: DeviceIdentity): Promise<boolean> {
    return inTenantTransaction(this.dataSource, identity.orgId, async (tx) => {
      const device = await this.repo.device(tx, identity.deviceId);
      if (!device) return false;
      await this.seen(tx, device);
      return true;
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
        await tx.query(`UPDATE devices SET push_token = $2, updated_at = $3 WHERE id = $1`, [
          device.id,
          input.pushToken,
          this.clock.now(),
        ]);
      }
      if (input.simCards !== undefined) {
        const sims = simsOf(input.simCards);
        const before = await this.repo.sims(tx, [device.id]);
        const same =
          JSON.stringify(before.map(({ deviceId: _d, ...s }) => s)) === JSON.stringify(sims);
        if (!same) {
          await this.repo.replaceSims(tx, device.orgId, device.id, sims);
          await this.events.deviceUpdated(tx, this.facts(device, sims));
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

  /**
   * Changes the facts a status derives from, in the caller's transaction (the device row
   * locked): emits DeviceStatusChanged when the status changes, releases the queue of a
   * device that was disabled or quarantined, and gives a device back in the pool messages
   * from the organization's pool.
   */
  async changeFacts(
    tx: EntityManager,
    device: DeviceRow,
    change: { connected?: boolean; enabled?: boolean; quarantineReason?: string | null },
    reason: string,
  ): Promise<DeviceRow> {
    const now = this.clock.now();
    const next: DeviceRow = {
      ...device,
      connected: change.connected ?? device.connected,
      enabled: change.enabled ?? device.enabled,
      quarantinedAt:
        change.quarantineReason === undefined
          ? device.quarantinedAt
          : change.quarantineReason === null
            ? null
            : (device.quarantinedAt ?? now),
      quarantineReason:
        change.quarantineReason === undefined ? device.quarantineReason : change.quarantineReason,
    };
    const lifted = device.quarantinedAt !== null && next.quarantinedAt === null;
    await tx.query(
      `UPDATE devices
          SET connected = $2, enabled = $3, quarantined_at = $4, quarantine_reason = $5,
              offline_since = CASE WHEN $2 THEN NULL ELSE COALESCE(offline_since, $6) END,
              last_seen_at = CASE WHEN $2 AND NOT connected THEN $6 ELSE last_seen_at END,
              consecutive_failures = CASE WHEN $7 THEN 0 ELSE consecutive_failures END,
              health_score = CASE WHEN $7 THEN GREATEST(health_score, 50) ELSE health_score END,
              outcomes = CASE WHEN $7 THEN 0 ELSE outcomes END,
              updated_at = $6
        WHERE id = $1`,
      [
        device.id,
        next.connected,
        next.enabled,
        next.quarantinedAt,
        next.quarantineReason,
        now,
        lifted,
      ],
    );
    const before = statusOf(device);
    const after = statusOf(next);
    if (before !== after) {
      await this.events.statusChanged(tx, device.orgId, device.id, after, before, reason);
      this.logger.log({ msg: 'device status changed', deviceId: device.id, before, after, reason });
      if (after === 'DISABLED' || after === 'QUARANTINED') {
        await this.queue.releaseDevice(tx, device.id, `device ${after.toLowerCase()}`);
      }
      if (after === 'ONLINE') await this.queue.assignPool(tx);
    }
    return next;
  }

  /** Counts an outcome against the device's health; may quarantine it. */
  async recordOutcome(tx: EntityManager, deviceId: string, outcome: Outcome): Promise<void> {
    const device = await this.repo.device(tx, deviceId, { lock: true });
    if (!device) return;
    const update = recordOutcome(
      {
        score: device.healthScore,
        consecutiveFailures: device.consecutiveFailures,
        outcomes: device.outcomes,
      },
      outcome,
      {
        alpha: 0.1,
        maxConsecutiveFailures: this.config.QUARANTINE_AFTER_FAILURES,
        minScore: this.config.QUARANTINE_BELOW_SCORE,
        minOutcomes: 10,
      },
    );
    await tx.query(
      `UPDATE devices SET health_score = $2, consecutive_failures = $3, outcomes = $4
        WHERE id = $1`,
      [deviceId, update.health.score, update.health.consecutiveFailures, update.health.outcomes],
    );
    if (update.quarantineReason && device.quarantinedAt === null) {
      await this.changeFacts(
        tx,
        { ...device, healthScore: update.health.score },
        { quarantineReason: update.quarantineReason },
        update.quarantineReason,
      );
    }
  }

  /** `updateDevice`: the organization's settings for a device. */
  async update(orgId: string, id: string, change: DeviceSettingsChange): Promise<void> {
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      let device = await this.repo.device(tx, id, { lock: true });
      if (!device) throw deviceNotFound();
      const now = this.clock.now();
      if (change.name !== undefined && change.name !== device.name) {
        await tx.query(`UPDATE devices SET name = $2, updated_at = $3 WHERE id = $1`, [
          id,
          change.name,
          now,
        ]);
        device = { ...device, name: change.name };
        const sims = (await this.repo.sims(tx, [id])).map(({ deviceId: _d, ...s }) => s);
        await this.events.deviceUpdated(tx, this.facts(device, sims));
      }
      await tx.query(
        `UPDATE devices SET send_rate_per_minute = COALESCE($2, send_rate_per_minute),
                daily_limit = CASE WHEN $3 THEN $4 ELSE daily_limit END,
                sim_policy = COALESCE($5, sim_policy), updated_at = $6
          WHERE id = $1`,
        [
          id,
          change.sendRatePerMinute ?? null,
          change.dailyLimit !== undefined,
          change.dailyLimit ?? null,
          change.simPolicy ?? null,
          now,
        ],
      );
      if (change.enabled === true && (!device.enabled || device.quarantinedAt)) {
        device = await this.changeFacts(
          tx,
          device,
          { enabled: true, quarantineReason: null },
          device.quarantinedAt ? 'quarantine lifted by user' : 'enabled by user',
        );
      } else if (change.enabled === false && device.enabled) {
        device = await this.changeFacts(tx, device, { enabled: false }, 'disabled by user');
      }
      // A higher rate or cap may let the device take pooled messages now.
      if (statusOf(device) === 'ONLINE') await this.queue.assignPool(tx);
    });
  }

  /** `removeDevice`: revokes its token, releases its queue, closes its streams. */
  async remove(orgId: string, id: string): Promise<void> {
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const device = await this.repo.device(tx, id, { lock: true });
      if (!device) throw deviceNotFound();
      const now = this.clock.now();
      await this.repo.deleteCredentials(tx, id);
      await tx.query(
        `UPDATE devices SET removed_at = $2, enabled = false, updated_at = $2 WHERE id = $1`,
        [id, now],
      );
      await this.queue.releaseDevice(tx, id, 'device removed', { includeProcessed: true });
      await this.events.removed(tx, orgId, id, 'removed by user');
      await this.wakeups.disconnectOnCommit(tx, id);
    });
  }

  facts(
    device: Pick<DeviceRow, 'id' | 'orgId' | 'name' | 'manufacturer' | 'model' | 'appVersion'>,
    sims: Omit<SimRow, 'deviceId'>[],
  ): DeviceFacts {
    return {
      id: device.id,
      orgId: device.orgId,
      name: device.name,
      manufacturer: device.manufacturer,
      model: device.model,
      appVersion: device.appVersion,
      sims: sims.map((s) => ({
        slot: s.slot,
        carrierName: s.carrierName,
        maskedNumber: s.maskedNumber,
      })),
    };
  }
}

/** SIMs as stored: masked numbers, 1-based slot, one per slot. */
export function simsOf(cards: ReportedSim[] | undefined): Omit<SimRow, 'deviceId'>[] {
  const bySlot = new Map<number, Omit<SimRow, 'deviceId'>>();
  for (const card of cards ?? []) {
    if (bySlot.has(card.simNumber)) continue;
    bySlot.set(card.simNumber, {
      slot: card.simNumber,
      slotIndex: card.slotIndex,
      carrierName: card.carrierName?.trim() || null,
      maskedNumber: maskNumber(card.phoneNumber),
    });
  }
  return [...bySlot.values()].sort((a, b) => a.slot - b.slot);
}

function invalidEnrollment(): DevicesException {
  return new DevicesException(
    DevicesErrorCode.INVALID_ENROLLMENT_TOKEN,
    'Invalid, expired or revoked enrollment token',
  );
}

function invalidDeviceToken(): DevicesException {
  return new DevicesException(DevicesErrorCode.INVALID_DEVICE_TOKEN, 'Invalid device token');
}

function deviceNotFound(): DevicesException {
  return new DevicesException(DevicesErrorCode.DEVICE_NOT_FOUND, 'No such device');
}
