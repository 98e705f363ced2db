import { randomUUID } from 'node:crypto';
import { create, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Kafka, logLevel } from 'kafkajs';
import {
  accountsV1,
  complianceV1,
  devicesV1,
  Topics,
  type TopicSpec,
} from '@switchboard/contracts';
import {
  addToOutbox,
  createProducer,
  EventPublisher,
  type OutgoingRecord,
} from '@switchboard/events';

/**
 * Publishes events the way another service would: the same envelope `addToOutbox` writes
 * (CloudEvents headers, tenant, trace context), sent straight to Kafka with the EventPublisher.
 */
export class FakeService {
  private readonly publisher: EventPublisher;

  constructor(
    brokers: string[],
    private readonly service = 'devices',
  ) {
    const kafka = new Kafka({ clientId: `fake-${service}`, brokers, logLevel: logLevel.NOTHING });
    this.publisher = new EventPublisher(createProducer(kafka, { idempotentProducer: true }));
  }

  async publish<S extends DescMessage>(
    topic: TopicSpec<S>,
    key: string,
    orgId: string,
    event: MessageInitShape<S>,
    id = randomUUID(),
  ): Promise<string> {
    const records: OutgoingRecord[] = [];
    await addToOutbox(
      {
        query: async (_sql: string, params?: unknown[]) => {
          const [, topicName, recordKey, , payload, headers] = params as [
            string,
            string,
            string,
            string,
            Buffer,
            string,
          ];
          records.push({
            topic: topicName,
            key: recordKey,
            value: payload,
            headers: JSON.parse(headers),
          });
        },
      },
      this.service,
      { topic, key, orgId, event, id },
    );
    await this.publisher.publish(records);
    return id;
  }

  /** A devices.message-state.v1 report. */
  state(
    orgId: string,
    messageId: string,
    state: devicesV1.MessageState,
    extra: Partial<Omit<devicesV1.MessageStateEvent, '$typeName' | '$unknown'>> = {},
  ): Promise<string> {
    return this.publish(
      Topics.devices.messageState,
      messageId,
      orgId,
      create(devicesV1.MessageStateEventSchema, {
        messageId,
        orgId,
        deviceId: 'device-a',
        state,
        attempt: 1,
        simNumber: 1,
        occurredAt: timestampFromDate(new Date()),
        ...extra,
      }),
    );
  }

  device(
    orgId: string,
    deviceId: string,
    event: MessageInitShape<typeof devicesV1.DeviceEventSchema>['event'],
  ): Promise<string> {
    return this.publish(Topics.devices.device, deviceId, orgId, {
      deviceId,
      orgId,
      occurredAt: timestampFromDate(new Date()),
      event,
    });
  }

  organization(
    orgId: string,
    organization: MessageInitShape<typeof accountsV1.OrganizationSchema>,
  ): Promise<string> {
    return this.publish(Topics.accounts.organization, orgId, orgId, {
      orgId,
      occurredAt: timestampFromDate(new Date()),
      event: { case: 'created', value: { organization: { orgId, ...organization } } },
    });
  }

  /**
   * A compliance.policy.v1 state (as compliance publishes it): version 1, quiet hours off, no
   * consent needed for campaigns, the default retention, unless `policy` says otherwise.
   */
  policy(
    orgId: string,
    policy: Partial<MessageInitShape<typeof complianceV1.OrganizationPolicySchema>> = {},
  ): Promise<string> {
    return this.publish(Topics.compliance.policy, orgId, orgId, {
      orgId,
      version: 1n,
      quietHours: { enabled: false },
      consentRequiredForCampaigns: false,
      retention: { bodyRetentionDays: 7, metadataRetentionMonths: 24, auditRetentionDays: 90 },
      updatedAt: timestampFromDate(new Date()),
      ...policy,
    } as MessageInitShape<typeof complianceV1.OrganizationPolicySchema>);
  }

  stop(): Promise<void> {
    return this.publisher.disconnect();
  }
}
