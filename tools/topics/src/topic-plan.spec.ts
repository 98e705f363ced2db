import {
  BODY_TOPIC_MAX_RETENTION_MS,
  carriesMessageBodies,
  topicCatalog,
  Topics,
} from '@switchboard/contracts';
import { topicConfigChanges, topicPlan } from './topic-plan';

describe('topic plan', () => {
  const plan = topicPlan(topicCatalog, 3);

  it('creates every catalog topic and its DLQ', () => {
    expect(plan.map((t) => t.topic).sort()).toEqual(
      topicCatalog.flatMap((t) => [t.name, t.dlq]).sort(),
    );
  });

  it("carries the catalog's partitions, cleanup policy and retention", () => {
    const messages = plan.find((t) => t.topic === Topics.messaging.message.name)!;
    expect(messages.numPartitions).toBe(Topics.messaging.message.partitions);
    expect(messages.configEntries).toEqual(
      expect.arrayContaining([
        { name: 'cleanup.policy', value: Topics.messaging.message.cleanupPolicy },
        { name: 'retention.ms', value: String(Topics.messaging.message.retentionMs) },
        { name: 'min.insync.replicas', value: '2' },
      ]),
    );
  });

  it('keeps dead letters at least 30 days and works on a single-broker cluster', () => {
    const single = topicPlan(topicCatalog, 1);
    const dlq = single.find((t) => t.topic === Topics.devices.messageState.dlq)!;
    expect(
      Number(dlq.configEntries.find((c) => c.name === 'retention.ms')!.value),
    ).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
    expect(dlq.configEntries).toContainEqual({ name: 'min.insync.replicas', value: '1' });
  });

  it('keeps the dead letters of body-carrying topics no longer than the topic', () => {
    for (const spec of topicCatalog.filter(carriesMessageBodies)) {
      const dlq = plan.find((t) => t.topic === spec.dlq)!;
      expect(dlq.configEntries).toContainEqual({
        name: 'retention.ms',
        value: String(spec.retentionMs),
      });
      expect(spec.retentionMs).toBeLessThanOrEqual(BODY_TOPIC_MAX_RETENTION_MS);
    }
  });
});

describe('topic config reconciliation', () => {
  const plan = topicPlan(topicCatalog, 3);
  const messages = plan.find((t) => t.topic === Topics.messaging.message.name)!;
  const asCreated = (t: (typeof plan)[number]) => ({
    topic: t.topic,
    overrides: Object.fromEntries(t.configEntries.map((c) => [c.name, c.value])),
  });

  it('leaves topics that match the catalog alone', () => {
    expect(topicConfigChanges(plan, plan.map(asCreated))).toEqual([]);
  });

  it('resets a retention and a cleanup policy that drifted, keeping other overrides', () => {
    const drifted = {
      topic: messages.topic,
      overrides: {
        ...asCreated(messages).overrides,
        'retention.ms': '1000',
        'cleanup.policy': 'compact',
        'segment.bytes': '1048576',
      },
    };
    const [change] = topicConfigChanges(plan, [drifted]);
    expect(change.topic).toBe(messages.topic);
    expect(change.changed).toEqual({
      'retention.ms': ['1000', String(Topics.messaging.message.retentionMs)],
      'cleanup.policy': ['compact', Topics.messaging.message.cleanupPolicy],
    });
    expect(change.configEntries).toEqual(
      expect.arrayContaining([
        { name: 'retention.ms', value: String(Topics.messaging.message.retentionMs) },
        { name: 'cleanup.policy', value: Topics.messaging.message.cleanupPolicy },
        { name: 'segment.bytes', value: '1048576' },
      ]),
    );
  });

  it('sets planned configs a topic created by hand does not have', () => {
    const [change] = topicConfigChanges(plan, [{ topic: messages.topic, overrides: {} }]);
    expect(Object.keys(change.changed).sort()).toEqual(
      ['cleanup.policy', 'min.insync.replicas', 'retention.ms'].sort(),
    );
  });

  it('ignores topics the cluster did not report', () => {
    expect(topicConfigChanges(plan, [])).toEqual([]);
  });
});
