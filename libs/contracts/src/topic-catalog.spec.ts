import { create } from '@bufbuild/protobuf';
import { accountsV1, messagingV1 } from './gen';
import {
  BODY_TOPIC_MAX_RETENTION_MS,
  carriesMessageBodies,
  ceTypeOf,
  MIN_BODY_RETENTION_DAYS,
  Topics,
  topicCatalog,
} from './topic-catalog';

describe('topic catalog', () => {
  it('names every topic <service>.<stream>.v<major> with a .dlq sibling', () => {
    for (const topic of topicCatalog) {
      expect(topic.name).toMatch(/^[a-z][a-z-]*\.[a-z][a-z-]*\.v\d+$/);
      expect(topic.dlq).toBe(`${topic.name}.dlq`);
    }
  });

  it('declares each topic once', () => {
    const names = topicCatalog.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps the entity streams that projections are rebuilt from forever', () => {
    expect(Topics.accounts.organization.retentionMs).toBe(-1);
    expect(Topics.devices.device.retentionMs).toBe(-1);
  });

  it('keeps no message body longer than the shortest allowed body retention', () => {
    expect(BODY_TOPIC_MAX_RETENTION_MS).toBe(MIN_BODY_RETENTION_DAYS * 24 * 3600 * 1000);
    const bodyTopics = topicCatalog.filter(carriesMessageBodies);
    expect(bodyTopics.map((t) => t.name).sort()).toEqual([
      'compliance.privacy-reply.v1',
      'devices.dispatch.v1',
      'devices.inbound.v1',
      'messaging.message.v1',
      'messaging.send.v1',
    ]);
    for (const topic of bodyTopics) {
      expect(topic.cleanupPolicy).toBe('delete');
      expect(topic.retentionMs).toBeGreaterThan(0);
      expect(topic.retentionMs).toBeLessThanOrEqual(BODY_TOPIC_MAX_RETENTION_MS);
    }
  });

  it('keeps compacted topics forever and gives the others a retention (or forever)', () => {
    for (const topic of topicCatalog) {
      if (topic.cleanupPolicy === 'compact') expect(topic.retentionMs).toBe(-1);
      else expect(topic.retentionMs === -1 || topic.retentionMs > 0).toBe(true);
      expect(topic.partitions).toBeGreaterThan(0);
    }
  });

  it('binds every topic to a message of the package switchboard.<service>.v<major>', () => {
    for (const topic of topicCatalog) {
      const [service, , version] = topic.name.split('.');
      expect(topic.schema.kind).toBe('message');
      expect(topic.schema.typeName.startsWith('switchboard.')).toBe(true);
      expect(topic.schema.typeName).toMatch(
        new RegExp(`^switchboard\\.${service.replace(/-/g, '_')}\\.${version}\\.[A-Z]\\w*$`),
      );
    }
  });

  it('keeps the testing group out of the partner contract', () => {
    for (const topic of Object.values(Topics.testing)) expect(topic.visibility).toBe('internal');
    for (const topic of topicCatalog.filter((t) => t.visibility === 'public')) {
      expect(topic.name.startsWith('testing.')).toBe(false);
      expect(topic.schema.typeName.startsWith('switchboard.testing.')).toBe(false);
    }
  });

  it('publishes the organization, device and message streams to partners', () => {
    const publicTopics = topicCatalog.filter((t) => t.visibility === 'public').map((t) => t.name);
    expect(publicTopics.sort()).toEqual([
      'accounts.organization.v1',
      'devices.device.v1',
      'messaging.message.v1',
    ]);
  });

  it('lists the ce_type values of each topic: oneof members, or the type itself', () => {
    expect(Topics.messaging.message.ceTypes).toEqual(['switchboard.messaging.v1.MessageEvent']);
    expect(Topics.accounts.organization.ceTypes).toEqual([
      'switchboard.accounts.v1.OrganizationCreated',
      'switchboard.accounts.v1.OrganizationUpdated',
      'switchboard.accounts.v1.OrganizationDeletionScheduled',
      'switchboard.accounts.v1.OrganizationDeletionCanceled',
      'switchboard.accounts.v1.OrganizationDeleted',
    ]);
    expect(Topics.devices.dispatch.ceTypes).toEqual([
      'switchboard.devices.v1.DispatchMessage',
      'switchboard.devices.v1.CancelDispatch',
    ]);
    for (const topic of topicCatalog) {
      expect(topic.ceTypes.length).toBeGreaterThan(0);
      for (const type of topic.ceTypes) expect(type).toMatch(/^switchboard\.\w+\.v\d+\.[A-Z]\w*$/);
    }
  });

  it('derives the ce_type of a record from the event it carries', () => {
    const deleted = create(accountsV1.OrganizationEventSchema, {
      orgId: 'org-1',
      event: { case: 'deleted', value: { slug: 'acme' } },
    });
    expect(ceTypeOf(Topics.accounts.organization, deleted)).toBe(
      'switchboard.accounts.v1.OrganizationDeleted',
    );
    const message = create(messagingV1.MessageEventSchema, { messageId: 'm-1' });
    expect(ceTypeOf(Topics.messaging.message, message)).toBe(
      'switchboard.messaging.v1.MessageEvent',
    );
    const empty = create(accountsV1.OrganizationEventSchema, { orgId: 'org-1' });
    expect(() => ceTypeOf(Topics.accounts.organization, empty)).toThrow(/event is not set/);
  });
});
