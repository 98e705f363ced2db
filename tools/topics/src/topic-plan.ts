import { carriesMessageBodies, type TopicSpec } from '@switchboard/contracts';

export interface TopicToCreate {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: { name: string; value: string }[];
}

/**
 * What the deploy step creates on a real Kafka cluster: every topic of the catalog and its
 * DLQ, with the catalog's partitions, cleanup policy and retention. DLQs keep their records
 * longer (30 days at least) so an operator has time to look at them — except the DLQs of topics
 * that carry message bodies, which keep them no longer than their topic (the body rule).
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
            value: String(
              carriesMessageBodies(spec)
                ? spec.retentionMs
                : Math.max(spec.retentionMs, 30 * 24 * 3600 * 1000),
            ),
          },
          { name: 'min.insync.replicas', value: minInSync },
        ],
      },
    ];
  });
}

/** A topic's configs as the cluster reports them: the ones set on the topic itself. */
export interface TopicOverrides {
  topic: string;
  /** Configs set on the topic (not broker defaults): name → value. */
  overrides: Record<string, string>;
}

/** What to write to one existing topic so its configs match the plan. */
export interface TopicConfigChange {
  topic: string;
  /** The topic's whole set of overrides after the change (AlterConfigs replaces the set). */
  configEntries: { name: string; value: string }[];
  /** The planned configs that differed: name → [current, wanted] (undefined: not set). */
  changed: Record<string, [string | undefined, string]>;
}

/**
 * Reconciles existing topics with the plan: for each topic whose cleanup policy, retention or
 * min.insync.replicas differ from the catalog's, the full set of overrides to write — the
 * planned ones plus any other override an operator set on the topic, which AlterConfigs
 * would otherwise drop. Topics that match (or that the cluster did not report) need nothing.
 */
export function topicConfigChanges(
  plan: readonly TopicToCreate[],
  current: readonly TopicOverrides[],
): TopicConfigChange[] {
  const byTopic = new Map(current.map((c) => [c.topic, c.overrides]));
  const changes: TopicConfigChange[] = [];
  for (const wanted of plan) {
    const overrides = byTopic.get(wanted.topic);
    if (!overrides) continue;
    const changed: TopicConfigChange['changed'] = {};
    for (const { name, value } of wanted.configEntries) {
      if (overrides[name] !== value) changed[name] = [overrides[name], value];
    }
    if (Object.keys(changed).length === 0) continue;
    const merged = { ...overrides };
    for (const { name, value } of wanted.configEntries) merged[name] = value;
    changes.push({
      topic: wanted.topic,
      configEntries: Object.entries(merged).map(([name, value]) => ({ name, value })),
      changed,
    });
  }
  return changes;
}
