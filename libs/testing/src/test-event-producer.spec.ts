import { fromBinary } from '@bufbuild/protobuf';
import { accountsV1, Topics } from '@switchboard/contracts';
import { cloudEventRecord } from './test-event-producer';

describe('cloudEventRecord', () => {
  const orgId = '0b8f6a0e-2f4e-4d8e-9d7a-3c1b2a4f5e6d';
  const event = {
    orgId,
    event: { case: 'deleted' as const, value: {} },
  };

  it('writes the protobuf value and the CloudEvents headers the outbox writes', () => {
    const time = new Date('2026-11-29T12:00:00Z');
    const record = cloudEventRecord(Topics.accounts.organization, orgId, event, {
      orgId,
      eventId: 'e-1',
      service: 'accounts',
      time,
    });
    expect(record.key).toBe(orgId);
    expect(record.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'e-1',
      ce_type: 'switchboard.accounts.v1.OrganizationDeleted',
      ce_source: '/switchboard/accounts',
      ce_time: '2026-11-29T12:00:00.000Z',
      ce_subject: orgId,
      ce_orgid: orgId,
      'content-type': 'application/protobuf',
    });
    const decoded = fromBinary(accountsV1.OrganizationEventSchema, record.value);
    expect(decoded.orgId).toBe(orgId);
    expect(decoded.event.case).toBe('deleted');
  });

  it('leaves ce_orgid out of a platform-level event and makes a new id each time', () => {
    const a = cloudEventRecord(Topics.accounts.organization, orgId, event);
    const b = cloudEventRecord(Topics.accounts.organization, orgId, event);
    expect(a.headers).not.toHaveProperty('ce_orgid');
    expect(a.headers.ce_source).toBe('/switchboard/test');
    expect(a.headers.ce_id).not.toBe(b.headers.ce_id);
  });
});
