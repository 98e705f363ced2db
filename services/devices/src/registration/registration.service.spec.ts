import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { generateOpaqueToken, OpaqueTokenPrefix } from '@switchboard/auth';
import type { RateLimitCheck, RateLimiter } from '@switchboard/rate-limit';
import { ManualClock } from '@switchboard/testing';
import type { SqlStatement, TenantRepository } from '@switchboard/tenancy';
import type { DevicesConfig } from '../config';
import type { DeviceEventsWriter } from '../common/device-events.writer';
import { DevicesErrorCode } from '../common/devices.exception';
import { hashToken } from '../domain/tokens';
import type { EnrollmentRepository } from '../enrollment/enrollment.repository';
import type { CredentialMatch } from '../common/credential.record';
import type { CredentialRepository } from '../common/credential.repository';
import type { DeviceRow } from '../fleet/device.record';
import type { DeviceStatusService } from '../fleet/device-status.service';
import type { FleetRepository, NewDevice } from '../fleet/fleet.repository';
import type { AssignmentService } from '../queue/assignment.service';
import { RegistrationService } from './registration.service';

const ORG = '00000000-0000-4000-8000-000000000001';
const ENROLLMENT = '00000000-0000-4000-8000-0000000000e1';
const IP = '203.0.113.9';

/** The credentials, devices and SIMs of one organization, in memory. */
function newTestRegistration() {
  const clock = new ManualClock();
  const credentials = new Map<string, CredentialMatch & { kind: string }>();
  const devices = new Map<string, NewDevice>();
  const sims = new Map<string, unknown[]>();
  const closed = new Set<string>();
  const tx = { query: jest.fn().mockResolvedValue([]) } as unknown as EntityManager;
  const dataSource = {
    transaction: (work: (manager: EntityManager) => Promise<unknown>) => work(tx),
  } as unknown as DataSource;
  const credentialRepository = {
    find: (_tx: unknown, hash: Buffer, kind: string) => {
      const found = credentials.get(hash.toString('hex'));
      return Promise.resolve(found?.kind === kind ? found : undefined);
    },
    add: (
      _tx: unknown,
      orgId: string,
      hash: Buffer,
      kind: string,
      subjectId: string,
      expiresAt: Date | null,
    ) => {
      credentials.set(hash.toString('hex'), { orgId, subjectId, expiresAt, kind });
      return Promise.resolve();
    },
  };
  const tenants = {
    register: jest.fn().mockResolvedValue(undefined),
    isClosed: (_tx: unknown, orgId: string) => Promise.resolve(closed.has(orgId)),
  };
  const fleet = {
    settings: () => Promise.resolve(settings),
    insert: (_tx: unknown, device: NewDevice) => {
      devices.set(device.id, device);
      return Promise.resolve();
    },
    replaceSims: (_tx: unknown, _org: string, id: string, rows: unknown[]) => {
      sims.set(id, rows);
      return Promise.resolve();
    },
    device: (_tx: unknown, id: string) => {
      const d = devices.get(id);
      return Promise.resolve(d ? ({ id: d.id, orgId: d.orgId } as DeviceRow) : undefined);
    },
    requestingDevice: (_tx: unknown, orgId: string, id: string, take?: SqlStatement) => {
      if (take) takes.push(take);
      const d = devices.get(id);
      return Promise.resolve({
        organizationClosed: closed.has(orgId),
        device: d ? ({ id: d.id, orgId: d.orgId } as DeviceRow) : undefined,
        bucketTokens: take ? bucket.tokens : undefined,
      });
    },
  };
  /** The device API limit's takes, and the tokens the next leaves. */
  const takes: SqlStatement[] = [];
  const bucket = { tokens: 99 };
  const enrollments = {
    use: jest.fn().mockResolvedValue({ ok: true, id: ENROLLMENT, maxUses: 1 }),
  };
  const settings = { requireApprovalForSharedEnrollments: true };
  const status = { seen: jest.fn().mockResolvedValue(undefined) };
  const assignment = { assignPool: jest.fn().mockResolvedValue(0) };
  const registered: unknown[] = [];
  const events = {
    deviceRegistered: (_tx: unknown, facts: unknown) => {
      registered.push(facts);
      return Promise.resolve();
    },
  };
  const limited: { action: string; checks: readonly RateLimitCheck[] }[] = [];
  const limits = {
    enforce: jest.fn((action: string, checks: readonly RateLimitCheck[]) => {
      limited.push({ action, checks });
      return Promise.resolve();
    }),
  };
  const config = {
    DEVICE_REGISTRATIONS_PER_IP_PER_HOUR: 5,
    DEVICE_REGISTRATIONS_PER_TOKEN_PER_HOUR: 3,
    DEVICE_API_REQUESTS_PER_MINUTE: 100,
    secretKey: randomBytes(32),
    DEFAULT_SEND_RATE_PER_MINUTE: 30,
    MAX_SEND_RATE_PER_MINUTE: 20,
  } as DevicesConfig;
  const service = new RegistrationService(
    config,
    dataSource,
    fleet as unknown as FleetRepository,
    credentialRepository as unknown as CredentialRepository,
    tenants as unknown as TenantRepository,
    enrollments as unknown as EnrollmentRepository,
    status as unknown as DeviceStatusService,
    assignment as unknown as AssignmentService,
    events as unknown as DeviceEventsWriter,
    limits as unknown as RateLimiter,
    clock,
  );
  const enrollmentToken = (expiresAt: Date | null = new Date(Date.now() + 3600_000)) => {
    const token = generateOpaqueToken(OpaqueTokenPrefix.enrollment);
    credentials.set(hashToken(token).toString('hex'), {
      orgId: ORG,
      subjectId: ENROLLMENT,
      expiresAt,
      kind: 'enrollment',
    });
    return token;
  };
  return {
    service,
    clock,
    credentials,
    devices,
    sims,
    enrollments,
    status,
    assignment,
    registered,
    enrollmentToken,
    closed,
    settings,
    limits,
    limited,
    takes,
    bucket,
    tx,
  };
}

const expectCode = async (promise: Promise<unknown>, code: DevicesErrorCode) =>
  expect(promise).rejects.toMatchObject({ code });

describe('RegistrationService.register (POST /device)', () => {
  it('creates a device of the token organization with its own token, stored only hashed', async () => {
    const t = newTestRegistration();
    const result = await t.service.register(
      t.enrollmentToken(),
      {
        name: 'Google/pixel_7',
        simCards: [{ slotIndex: 0, simNumber: 1, phoneNumber: '+14155550123', carrierName: 'T' }],
      },
      '1.40.0',
      IP,
    );

    const device = t.devices.get(result.id)!;
    expect(device).toMatchObject({
      orgId: ORG,
      enrollmentId: ENROLLMENT,
      name: 'Google/pixel_7',
      manufacturer: 'Google',
      model: 'pixel_7',
      appVersion: '1.40.0',
      sendRatePerMinute: 20, // the lower of the default and the maximum
    });
    expect(device.sealedSigningKey).not.toBe('');
    expect(t.sims.get(result.id)).toEqual([
      expect.objectContaining({ slot: 1, maskedNumber: expect.stringMatching(/^\+?\*+0123$/) }),
    ]);
    expect(result.token.startsWith('sbd_')).toBe(true);
    expect([...t.credentials.keys()]).toContain(hashToken(result.token).toString('hex'));
    expect(JSON.stringify([...t.credentials.values()])).not.toContain(result.token);
    expect(t.registered).toHaveLength(1);
    expect(t.assignment.assignPool).toHaveBeenCalled();
  });

  it('refuses a missing, malformed, unknown or expired token and writes nothing', async () => {
    const t = newTestRegistration();
    await expectCode(
      t.service.register(null, {}, null, IP),
      DevicesErrorCode.INVALID_ENROLLMENT_TOKEN,
    );
    await expectCode(
      t.service.register('sbe_short', {}, null, IP),
      DevicesErrorCode.INVALID_ENROLLMENT_TOKEN,
    );
    await expectCode(
      t.service.register(generateOpaqueToken(OpaqueTokenPrefix.enrollment), {}, null, IP),
      DevicesErrorCode.INVALID_ENROLLMENT_TOKEN,
    );
    const expired = t.enrollmentToken(new Date(t.clock.now().getTime() - 1));
    await expectCode(
      t.service.register(expired, {}, null, IP),
      DevicesErrorCode.INVALID_ENROLLMENT_TOKEN,
    );
    // A device token is not an enrollment token.
    await expectCode(
      t.service.register(generateOpaqueToken(OpaqueTokenPrefix.device), {}, null, IP),
      DevicesErrorCode.INVALID_ENROLLMENT_TOKEN,
    );
    expect(t.devices.size).toBe(0);
    expect(t.enrollments.use).not.toHaveBeenCalled();
  });

  it('refuses a token the enrollment no longer accepts (revoked or used up)', async () => {
    const t = newTestRegistration();
    t.enrollments.use.mockResolvedValue({ ok: false, why: 'invalid' });
    await expectCode(
      t.service.register(t.enrollmentToken(), {}, null, IP),
      DevicesErrorCode.INVALID_ENROLLMENT_TOKEN,
    );
    t.enrollments.use.mockResolvedValue({ ok: false, why: 'exhausted' });
    await expectCode(
      t.service.register(t.enrollmentToken(), {}, null, IP),
      DevicesErrorCode.ENROLLMENT_EXHAUSTED,
    );
    expect(t.devices.size).toBe(0);
  });

  it('lets a phone from a shared token wait for approval, out of the pool', async () => {
    const t = newTestRegistration();
    t.enrollments.use.mockResolvedValue({ ok: true, id: ENROLLMENT, maxUses: 5 });
    const pending = await t.service.register(t.enrollmentToken(), {}, null, IP);
    expect(pending.status).toBe('PENDING_APPROVAL');
    expect(t.devices.get(pending.id)?.approved).toBe(false);
    expect(t.assignment.assignPool).not.toHaveBeenCalled();

    // Unless the organization turned approval off; a single-use token never needs it.
    t.settings.requireApprovalForSharedEnrollments = false;
    const trusted = await t.service.register(t.enrollmentToken(), {}, null, IP);
    expect(trusted.status).toBeUndefined();
    expect(t.devices.get(trusted.id)?.approved).toBe(true);
    t.settings.requireApprovalForSharedEnrollments = true;
    t.enrollments.use.mockResolvedValue({ ok: true, id: ENROLLMENT, maxUses: 1 });
    expect(
      t.devices.get((await t.service.register(t.enrollmentToken(), {}, null, IP)).id)?.approved,
    ).toBe(true);
  });

  it('names a device without a reported name "Android phone"', async () => {
    const t = newTestRegistration();
    const { id } = await t.service.register(t.enrollmentToken(), { name: '  ' }, null, IP);
    expect(t.devices.get(id)).toMatchObject({ name: 'Android phone', manufacturer: null });
  });
});

describe('RegistrationService.authenticate', () => {
  it('finds the device of a device token and counts the call as seen', async () => {
    const t = newTestRegistration();
    const { id, token } = await t.service.register(t.enrollmentToken(), {}, null, IP);
    await expect(t.service.authenticate(token)).resolves.toEqual({ deviceId: id, orgId: ORG });
    expect(t.status.seen).toHaveBeenCalledTimes(1);
  });

  it('refuses an enrollment token, an unknown token and a removed device with INVALID_DEVICE_TOKEN', async () => {
    const t = newTestRegistration();
    const enrollment = t.enrollmentToken();
    await expectCode(t.service.authenticate(enrollment), DevicesErrorCode.INVALID_DEVICE_TOKEN);
    await expectCode(
      t.service.authenticate(generateOpaqueToken(OpaqueTokenPrefix.device)),
      DevicesErrorCode.INVALID_DEVICE_TOKEN,
    );
    const { id, token } = await t.service.register(enrollment, {}, null, IP);
    t.devices.delete(id);
    await expectCode(t.service.authenticate(token), DevicesErrorCode.INVALID_DEVICE_TOKEN);
  });

  it('counts every registration attempt per client address and per token, and every API call per device', async () => {
    const t = newTestRegistration();
    const token = t.enrollmentToken();
    const { id, token: deviceToken } = await t.service.register(token, {}, null, IP);
    await t.service.register(null, {}, null, IP).catch(() => undefined);
    await t.service.authenticate(deviceToken);
    expect(
      t.limited.map((l) => [l.action, l.checks.map((c) => [c.key.split(':')[0], c.limit])]),
    ).toEqual([
      [
        'device-registration',
        [
          ['ip', { max: 5, windowSeconds: 3600 }],
          ['enrollment', { max: 3, windowSeconds: 3600 }],
        ],
      ],
      ['device-registration', [['ip', { max: 5, windowSeconds: 3600 }]]],
    ]);
    expect(t.limited[0].checks[1].key).not.toContain(token);
    // The API call takes a token of the device's bucket: 100 a minute, as many at once.
    expect(t.takes).toHaveLength(1);
    expect(t.takes[0].text).toContain('INSERT INTO device_api_buckets');
    expect(t.takes[0].values.slice(0, 2)).toEqual([`device:${id}`, 100]);
    expect(t.takes[0].values[3]).toBeCloseTo(100 / 60);
  });

  it('refuses an API call past the device bucket with RATE_LIMITED and when to retry', async () => {
    const t = newTestRegistration();
    const { token } = await t.service.register(t.enrollmentToken(), {}, null, IP);
    t.bucket.tokens = -0.5;
    await expect(t.service.authenticate(token)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 1,
    });
    expect(t.status.seen).not.toHaveBeenCalled();
  });

  it('writes nothing when a limit refuses', async () => {
    const t = newTestRegistration();
    t.limits.enforce.mockRejectedValueOnce(new Error('RATE_LIMITED'));
    await expect(t.service.register(t.enrollmentToken(), {}, null, IP)).rejects.toThrow(
      'RATE_LIMITED',
    );
    expect(t.devices.size).toBe(0);
    expect(t.enrollments.use).not.toHaveBeenCalled();
  });

  it('refuses the tokens of a closed organization with ORGANIZATION_CLOSED', async () => {
    const t = newTestRegistration();
    const enrollment = t.enrollmentToken();
    const { token } = await t.service.register(enrollment, {}, null, IP);
    t.closed.add(ORG);
    await expectCode(t.service.authenticate(token), DevicesErrorCode.ORGANIZATION_CLOSED);
    await expectCode(
      t.service.register(enrollment, {}, null, IP),
      DevicesErrorCode.ORGANIZATION_CLOSED,
    );
    expect(t.devices.size).toBe(1);
    t.closed.delete(ORG);
    await expect(t.service.authenticate(token)).resolves.toMatchObject({ orgId: ORG });
  });

  it('refuses a device acting as another one', async () => {
    const t = newTestRegistration();
    await expectCode(
      t.service.patchFromDevice({ deviceId: 'a', orgId: ORG }, { id: 'b' }),
      DevicesErrorCode.DEVICE_MISMATCH,
    );
  });
});
