import { topicCatalog, Topics } from '@switchboard/contracts';
import { topicPlan } from './topic-plan';

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
    const dlq = single.find((t) => t.topic === Topics.messaging.message.dlq)!;
    expect(
      Number(dlq.configEntries.find((c) => c.name === 'retention.ms')!.value),
    ).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
    expect(dlq.configEntries).toContainEqual({ name: 'min.insync.replicas', value: '1' });
  });
});
