import { create, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { accountsV1, commonV1, devicesV1, messagingV1 } from './gen';
import { Topics } from './topic-catalog';

describe('generated messages', () => {
  it('round-trips a MessageEvent through its binary encoding', () => {
    const event = create(messagingV1.MessageEventSchema, {
      messageId: '0190f1c2-7d3a-7c00-8000-000000000001',
      orgId: '0190f1c2-7d3a-7c00-8000-0000000000aa',
      kind: messagingV1.MessageEventKind.FAILED,
      status: messagingV1.MessageStatus.FAILED,
      direction: messagingV1.Direction.OUTBOUND,
      from: { e164: '+14155550100' },
      to: { e164: '+14155550123' },
      segments: 2,
      encoding: commonV1.SmsEncoding.UCS2,
      route: messagingV1.Route.CARRIER,
      error: { code: 'UNDELIVERABLE', message: 'Unknown destination', rawCode: '30005' },
      occurredAt: timestampFromDate(new Date('2025-01-02T03:04:05.678Z')),
      metadata: { order_id: '1234' },
      sequence: 4,
      externalId: 'SM123',
    });
    const bytes = toBinary(messagingV1.MessageEventSchema, event);
    const decoded = fromBinary(Topics.messaging.message.schema, bytes);
    expect(equals(messagingV1.MessageEventSchema, decoded, event)).toBe(true);
    expect(decoded.error?.rawCode).toBe('30005');
    expect(decoded.body).toBe('');
  });

  it('round-trips a oneof envelope (OrganizationEvent) and keeps the case', () => {
    const event = create(accountsV1.OrganizationEventSchema, {
      orgId: 'org-1',
      occurredAt: timestampFromDate(new Date('2025-05-01T00:00:00Z')),
      event: {
        case: 'deletionScheduled',
        value: { purgeAt: timestampFromDate(new Date('2025-05-31T00:00:00Z')) },
      },
    });
    const decoded = fromBinary(
      Topics.accounts.organization.schema,
      toBinary(accountsV1.OrganizationEventSchema, event),
    );
    expect(equals(accountsV1.OrganizationEventSchema, decoded, event)).toBe(true);
    expect(decoded.event.case).toBe('deletionScheduled');
  });

  it('round-trips a DispatchCommand with repeated and nested fields', () => {
    const command = create(devicesV1.DispatchCommandSchema, {
      messageId: 'm-1',
      orgId: 'org-1',
      command: {
        case: 'dispatch',
        value: {
          to: { e164: '+447700900123' },
          body: 'Your code is 123456',
          segments: 1,
          encoding: commonV1.SmsEncoding.GSM7,
          simNumber: 2,
          attempt: 3,
          excludedDeviceIds: ['d-1', 'd-2'],
        },
      },
    });
    const decoded = fromBinary(
      Topics.devices.dispatch.schema,
      toBinary(devicesV1.DispatchCommandSchema, command),
    );
    expect(equals(devicesV1.DispatchCommandSchema, decoded, command)).toBe(true);
    if (decoded.command.case !== 'dispatch') throw new Error('expected a dispatch');
    expect(decoded.command.value.excludedDeviceIds).toEqual(['d-1', 'd-2']);
  });

  it('decodes unknown enum values without losing them (forward compatibility)', () => {
    const bytes = toBinary(
      messagingV1.MessageEventSchema,
      create(messagingV1.MessageEventSchema, { kind: 99 as messagingV1.MessageEventKind }),
    );
    expect(fromBinary(messagingV1.MessageEventSchema, bytes).kind).toBe(99);
  });
});
