import type { Kafka } from 'kafkajs';
import { ReadinessProbes } from './readiness.module';

const signal = new AbortController().signal;

function fakeKafka(options: { failConnects?: number } = {}) {
  let failures = options.failConnects ?? 0;
  const calls = { connect: 0, describe: 0, disconnect: 0 };
  const admin = {
    connect: async () => {
      calls.connect++;
      if (failures-- > 0) throw new Error('broker unreachable');
    },
    describeCluster: async () => {
      calls.describe++;
      return { brokers: [] };
    },
    disconnect: async () => void calls.disconnect++,
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, calls };
}

const database = (queries: string[]) => ({ query: async (sql: string) => void queries.push(sql) });

describe('ReadinessProbes', () => {
  it('checks the database and the broker, on one admin connection', async () => {
    const queries: string[] = [];
    const { kafka, calls } = fakeKafka();
    const probes = new ReadinessProbes(database(queries), kafka);
    const checks = probes.checks();
    expect(checks.map((c) => c.name)).toEqual(['postgres', 'kafka']);
    for (const check of [...checks, ...checks]) await check.check(signal);
    expect(queries).toEqual(['SELECT 1', 'SELECT 1']);
    expect(calls).toEqual({ connect: 1, describe: 2, disconnect: 0 });
    await probes.onApplicationShutdown();
    expect(calls.disconnect).toBe(1);
  });

  it('connects again after a failed connection', async () => {
    const { kafka, calls } = fakeKafka({ failConnects: 1 });
    const broker = new ReadinessProbes(database([]), kafka).checks()[1];
    await expect(broker.check(signal)).rejects.toThrow('broker unreachable');
    await broker.check(signal);
    expect(calls.connect).toBe(2);
  });

  it('checks only the database without a broker, and closes nothing', async () => {
    const probes = new ReadinessProbes(database([]));
    expect(probes.checks().map((c) => c.name)).toEqual(['postgres']);
    await expect(probes.onApplicationShutdown()).resolves.toBeUndefined();
  });
});
