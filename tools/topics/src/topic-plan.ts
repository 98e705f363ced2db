import type { TopicSpec } from '@switchboard/contracts';

export interface TopicToCreate {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: { name: string; value: string }[];
}

/**
 * What the deploy step creates on a real Kafka cluster: every topic of the catalog and its
 * DLQ, with the catalog's partitions, cleanup policy and retention. DLQs keep their records
 * longer (30 days at least) so an operator has time to look at them.
 */
export function topicPlan(
  catalog: readonly TopicSpec[],
  replicationFactor: number,
): TopicToCreate[] {
  const minInSync = String(Math.max(1, Math.min(2, replicationFactor - 1)));
  return catalog.flatMap((spec) => {
    const base = { replicationFactor, numPartitions: spec.partitions };
    const retention = spec.cleanupPolicy === 'compact' ? '-1' : String(spec.retentionMs);
    return [
      {
        ...base,
        topic: spec.name,
        configEntries: [
          { name: 'cleanup.policy', value: spec.cleanupPolicy },
          { name: 'retention.ms', value: retention },
          { name: 'min.insync.replicas', value: minInSync },
        ],
      },
      {
        ...base,
        topic: spec.dlq,
        configEntries: [
          { name: 'cleanup.policy', value: 'delete' },
          {
            name: 'retention.ms',
            value: String(Math.max(spec.retentionMs, 30 * 24 * 3600 * 1000)),
          },
          { name: 'min.insync.replicas', value: minInSync },
        ],
      },
    ];
  });
}
