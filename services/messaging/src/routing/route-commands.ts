import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { devicesV1, Topics } from '@switchboard/contracts';
import type { EventDraft } from '@switchboard/events';
import { stableUuid } from '../common/stable-id';
import type { MessageRecord } from '../messages/message.record';

/**
 * `devices.dispatch.v1` DispatchCommand{cancel} that takes a message back from the device pool
 * to fail it over (no phone took it in time): one per (message, attempt), distinct from the
 * user's cancel. Devices answers CANCELED when nothing sent it — a phone holding it decides:
 * Cancelled, or Sent when it was too late (then there is no failover).
 */
export function withdrawCommandDraft(
  record: MessageRecord,
  issuedAt: Date,
): EventDraft<typeof devicesV1.DispatchCommandSchema> {
  return {
    topic: Topics.devices.dispatch,
    key: record.id,
    id: stableUuid('withdraw', record.id, record.attempt),
    orgId: record.orgId,
    time: issuedAt,
    event: {
      messageId: record.id,
      orgId: record.orgId,
      issuedAt: timestampFromDate(issuedAt),
      command: { case: 'cancel', value: { reason: 'route failover: no device took it in time' } },
    },
  };
}
