/**
 * The topic catalog: every Kafka topic the platform uses, declared once. Topic names follow
 * `<service>.<stream>.v<major>`; each topic has a dead-letter sibling `<name>.dlq`. The dev
 * broker and the chart's topic job create topics from this list; services never rely on
 * auto-creation.
 */
export type TopicVisibility = 'public' | 'internal';
export type CleanupPolicy = 'delete' | 'compact';

export interface TopicSpec {
  /** `<service>.<stream>.v<major>` */
  readonly name: string;
  /** Dead-letter topic for messages that cannot be decoded or keep failing. */
  readonly dlq: string;
  /** What the record key is; it decides ordering. */
  readonly key: string;
  readonly partitions: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** Retention in milliseconds; -1 keeps records forever (compacted topics). */
  readonly retentionMs: number;
  /** Public topics are the partner contract; internal ones may change with the services. */
  readonly visibility: TopicVisibility;
  readonly description: string;
}

const DAY = 24 * 60 * 60 * 1000;

function topic(spec: Omit<TopicSpec, 'dlq'>): TopicSpec {
  if (!/^[a-z][a-z-]*\.[a-z][a-z-]*\.v\d+$/.test(spec.name)) {
    throw new Error(`topic name ${spec.name} does not follow <service>.<stream>.v<major>`);
  }
  return Object.freeze({ ...spec, dlq: `${spec.name}.dlq` });
}

export const Topics = {
  testing: {
    /** Used by the platform's own tests of the broker and the event libraries. */
    probe: topic({
      name: 'testing.probe.v1',
      key: 'test-defined',
      partitions: 4,
      cleanupPolicy: 'delete',
      retentionMs: 1 * DAY,
      visibility: 'internal',
      description: 'Scratch topic for the platform tests.',
    }),
  },
} as const;

export const topicCatalog: readonly TopicSpec[] = Object.values(Topics).flatMap((group) =>
  Object.values(group),
);
