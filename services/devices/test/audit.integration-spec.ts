// The audit events devices emits (compliance.audit.v1, through the outbox in the transaction of
// the change): enrollment tokens created and revoked, a device's settings changed, its
// quarantine lifted, a device approved, rejected or removed, the fleet settings changed.
import { randomUUID } from 'node:crypto';
import { commonV1, complianceV1, devicesV1, Topics } from '@switchboard/contracts';
import { graphqlClient, type EventWatcher } from '@switchboard/testing';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';
import { PhoneFleet } from './support/phones';

describe('audit events of the fleet', () => {
  let h: DevicesHarness;
  let fleet: PhoneFleet;
  let audit: EventWatcher<typeof complianceV1.AuditEventSchema>;

  beforeAll(async () => {
    h = await startDevicesHarness({ QUARANTINE_AFTER_FAILURES: '3' });
    fleet = new PhoneFleet(h);
    audit = await h.watch(Topics.compliance.audit);
  });

  afterAll(async () => {
    await fleet?.stopAll();
    await h?.close();
  });

  const entry = (orgId: string, action: string, resourceId?: string) =>
    audit.waitFor(
      (e) =>
        e.message.orgId === orgId &&
        e.message.action === action &&
        (!resourceId || e.message.resourceId === resourceId),
    );

  it('records enrollment tokens created and revoked, by whom', async () => {
    const org = randomUUID();
    const owner = await h.owner(org);
    const { createDeviceEnrollment } = await owner.expectData<{
      createDeviceEnrollment: { id: string };
    }>(`mutation { createDeviceEnrollment(name: "front desk", maxUses: 3) { id } }`);
    const created = await entry(org, 'device_enrollment.create', createDeviceEnrollment.id);
    expect(created.headers.ce_orgid).toBe(org);
    expect(created.key).toBe(org);
    expect(created.message).toMatchObject({
      actor: { type: commonV1.ActorType.USER, orgId: org },
      resourceType: 'device_enrollment',
      outcome: complianceV1.AuditOutcome.SUCCESS,
      sourceService: 'devices',
      metadata: { max_uses: '3' },
    });
    expect(created.message.actor?.id).toMatch(/^[0-9a-f-]{36}$/);
    // Nothing secret in the entry: the token never appears.
    expect(JSON.stringify(created.message.metadata)).not.toMatch(/sbe_/);

    await owner.expectData(`mutation($id: ID!) { revokeDeviceEnrollment(id: $id) }`, {
      id: createDeviceEnrollment.id,
    });
    await entry(org, 'device_enrollment.revoke', createDeviceEnrollment.id);
  });

  it('records settings changes, a lifted quarantine and a removal', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org, {
      outcomes: { delivered: 0, sent: 0, failed: 1 },
      errorCodes: ['RESULT_ERROR_RADIO_OFF (Failed because radio was explicitly turned off)'],
    });
    const deviceId = phone.deviceId!;
    const owner = await h.owner(org);
    const devices = await h.watch(Topics.devices.device);
    for (let i = 0; i < 3; i++) await h.dispatch({ orgId: org });
    await devices.waitFor(
      (e) =>
        e.key === deviceId &&
        e.message.event.case === 'statusChanged' &&
        e.message.event.value.status === devicesV1.DeviceStatus.QUARANTINED,
    );
    await owner.expectData(
      `mutation($id: ID!) { updateDevice(id: $id, input: { enabled: true }) { id } }`,
      { id: deviceId },
    );
    const lifted = await entry(org, 'device.quarantine_lift', deviceId);
    expect(lifted.message.metadata).toEqual({ quarantine_reason: '3 consecutive failures' });

    await owner.expectData(
      `mutation($id: ID!) { updateDevice(id: $id, input: { name: "Till 2", dailyLimit: 50 }) { id } }`,
      { id: deviceId },
    );
    await audit.waitFor(
      (e) =>
        e.message.orgId === org &&
        e.message.action === 'device.update' &&
        e.message.metadata.fields === 'name,dailyLimit',
    );
    expect(
      audit.events
        .filter((e) => e.message.orgId === org && e.message.action === 'device.update')
        .map((e) => e.message.metadata.fields),
    ).toEqual(['enabled', 'name,dailyLimit']);

    await owner.expectData(
      `mutation { setDeviceSettings(requireApprovalForSharedEnrollments: false) { requireApprovalForSharedEnrollments } }`,
    );
    const settings = await entry(org, 'device_settings.update');
    expect(settings.message.metadata).toEqual({ require_approval_for_shared_enrollments: 'false' });

    await owner.expectData(`mutation($id: ID!) { removeDevice(id: $id) }`, { id: deviceId });
    const removed = await entry(org, 'device.remove', deviceId);
    expect(removed.message.metadata).toEqual({ reason: 'removed by user' });
  });

  it('records approvals and rejections of phones from a shared token', async () => {
    const org = randomUUID();
    const token = await h.enrollmentToken(org, 'shared', { maxUses: 2 });
    const first = await fleet.phone(org, { enrollmentToken: token });
    const second = await fleet.phone(org, { enrollmentToken: token });
    const owner = await h.owner(org);
    await owner.expectData(`mutation($id: ID!) { approveDevice(id: $id) { id } }`, {
      id: first.deviceId,
    });
    await entry(org, 'device.approve', first.deviceId!);
    await owner.expectData(`mutation($id: ID!) { rejectDevice(id: $id) }`, {
      id: second.deviceId,
    });
    const rejected = await entry(org, 'device.reject', second.deviceId!);
    expect(rejected.message.metadata).toEqual({ reason: 'rejected by user' });
  });

  it('records nothing when the change is refused', async () => {
    const org = randomUUID();
    const owner = await h.owner(org);
    expect(
      await owner.errorCodes(`mutation($id: ID!) { removeDevice(id: $id) }`, { id: randomUUID() }),
    ).toEqual(['DEVICE_NOT_FOUND']);
    // A later entry of the same organization is the first one seen.
    await owner.expectData(`mutation { createDeviceEnrollment { id } }`);
    await entry(org, 'device_enrollment.create');
    expect(
      audit.events.filter((e) => e.message.orgId === org).map((e) => e.message.action),
    ).toEqual(['device_enrollment.create']);
  });

  it('records a platform admin reading a fleet, with the reason', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org);
    const admin = graphqlClient(
      `${h.baseUrl}/graphql`,
      await h.auth.userToken(randomUUID(), 'ADMIN'),
    );
    const query = `query($orgId: ID!, $reason: String) {
      adminDevices(orgId: $orgId, reason: $reason) { id } }`;
    expect(await admin.errorCodes(query, { orgId: org })).toEqual(['REASON_REQUIRED']);
    const { adminDevices } = await admin.expectData<{ adminDevices: { id: string }[] }>(query, {
      orgId: org,
      reason: 'support ticket 77',
    });
    expect(adminDevices.map((d) => d.id)).toEqual([phone.deviceId]);
    const read = await audit.waitFor(
      (e) => e.message.orgId === org && e.message.action === 'device.list',
    );
    expect(read.message).toMatchObject({
      privileged: true,
      reason: 'support ticket 77',
      resourceType: 'device',
      outcome: complianceV1.AuditOutcome.SUCCESS,
      sourceService: 'devices',
    });
    const owner = await h.owner(org);
    expect(await owner.errorCodes(query, { orgId: org, reason: 'curious' })).toEqual(['FORBIDDEN']);
  });
});
