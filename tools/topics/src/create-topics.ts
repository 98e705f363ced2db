// The deploy step that creates the platform's Kafka topics from the topic catalog (the Helm
// chart runs it as a pre-install/pre-upgrade hook). Idempotent: missing topics are created, a
// topic with fewer partitions than the catalog says is grown (never shrunk), and an existing
// topic whose cleanup.policy, retention.ms or min.insync.replicas differ from the catalog's is
// reconciled (its other overrides are kept).
//   KAFKA_BROKERS=h:9092 node dist/tools/topics/src/create-topics.js [--replication-factor 3] [--dry-run]
// A cluster with TLS or SASL takes the services' KAFKA_SSL* and KAFKA_SASL_* variables.
import { parseArgs } from 'node:util';
import { ConfigResourceTypes, ConfigSource, Kafka, logLevel } from 'kafkajs';
import { ConfigError, loadConfig } from '@switchboard/config';
import { topicCatalog } from '@switchboard/contracts';
import {
  kafkaSecurityConfigShape,
  kafkaSecurityOptions,
  kafkaSecurityProblems,
} from '@switchboard/events';
import { topicConfigChanges, topicPlan, type TopicOverrides } from './topic-plan';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'replication-factor': {
        type: 'string',
        default: process.env.KAFKA_REPLICATION_FACTOR ?? '3',
      },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const plan = topicPlan(topicCatalog, Number(values['replication-factor']));
  if (values['dry-run']) {
    for (const t of plan) {
      process.stdout.write(
        `${t.topic} partitions=${t.numPartitions} rf=${t.replicationFactor} ${t.configEntries.map((c) => `${c.name}=${c.value}`).join(' ')}\n`,
      );
    }
    return;
  }
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is required');
  const security = loadConfig(kafkaSecurityConfigShape, process.env);
  const problems = kafkaSecurityProblems(security);
  if (problems.length) throw new ConfigError(problems);
  const admin = new Kafka({
    clientId: 'switchboard-topics',
    brokers,
    logLevel: logLevel.WARN,
    ...kafkaSecurityOptions(security),
  }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = plan.filter((t) => !existing.has(t.topic));
    if (missing.length) await admin.createTopics({ topics: missing, waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: plan.map((t) => t.topic) });
    const grow = plan.filter((t) => {
      const current = metadata.topics.find((m) => m.name === t.topic)?.partitions.length ?? 0;
      return current < t.numPartitions;
    });
    if (grow.length)
      await admin.createPartitions({
        topicPartitions: grow.map((t) => ({ topic: t.topic, count: t.numPartitions })),
      });
    const existingPlan = plan.filter((t) => existing.has(t.topic));
    const described = existingPlan.length
      ? await admin.describeConfigs({
          includeSynonyms: false,
          resources: existingPlan.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.topic })),
        })
      : { resources: [] };
    const current: TopicOverrides[] = described.resources.map((r) => ({
      topic: r.resourceName,
      overrides: Object.fromEntries(
        r.configEntries
          .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG)
          .map((e) => [e.configName, e.configValue]),
      ),
    }));
    const changes = topicConfigChanges(plan, current);
    if (changes.length)
      await admin.alterConfigs({
        validateOnly: false,
        resources: changes.map((c) => ({
          type: ConfigResourceTypes.TOPIC,
          name: c.topic,
          configEntries: c.configEntries,
        })),
      });
    for (const c of changes) {
      const what = Object.entries(c.changed).map(
        ([k, [from, to]]) => `${k} ${from ?? '(default)'} -> ${to}`,
      );
      process.stdout.write(`reconciled ${c.topic}: ${what.join(', ')}\n`);
    }
    process.stdout.write(
      `topics: ${missing.length} created, ${grow.length} grown, ${changes.length} reconciled, ${plan.length - missing.length} already there\n`,
    );
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
