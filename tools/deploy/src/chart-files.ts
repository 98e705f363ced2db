import type { TopicSpec } from '@switchboard/contracts';
import { topicPlan } from '../../topics/src/topic-plan';
import { presentComponents, type Component } from './components';

/** charts/switchboard/files/generated.yaml: what the chart reads from the repository. */
export const GENERATED_FILE = 'charts/switchboard/files/generated.yaml';

export interface ChartTopic {
  name: string;
  partitions: number;
  /** Topic configs of the catalog (min.insync.replicas is the chart's, from its replication factor). */
  config: Record<string, string>;
}

/**
 * The chart's generated file: the components whose code exists (the chart renders only those)
 * and every topic of the catalog with its DLQ (the Strimzi KafkaTopics). JSON is YAML, and
 * diffs line by line.
 */
export function chartFiles(
  components: readonly Component[],
  exists: (path: string) => boolean,
  catalog: readonly TopicSpec[],
): string {
  const topics: ChartTopic[] = topicPlan(catalog, 1).map((t) => ({
    name: t.topic,
    partitions: t.numPartitions,
    config: Object.fromEntries(
      t.configEntries.filter((c) => c.name !== 'min.insync.replicas').map((c) => [c.name, c.value]),
    ),
  }));
  const body = {
    components: presentComponents(components, exists).map((c) => ({ name: c.name, port: c.port })),
    topics,
  };
  return [
    '# Generated from tools/services.txt (components whose code exists) and the topic catalog',
    '# (libs/contracts/src/topic-catalog.ts) by:',
    '#   node tools/build.mjs && node dist/tools/deploy/src/render-chart-files.js',
    '# Do not edit: tools/deploy/test/chart-files.spec.ts fails when it is stale.',
    JSON.stringify(body, null, 2),
    '',
  ].join('\n');
}
