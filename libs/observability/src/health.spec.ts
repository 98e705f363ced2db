import { kafkaCheck, postgresCheck, withTimeout } from './health';

const signal = new AbortController().signal;

describe('readiness checks', () => {
  it('postgresCheck runs SELECT 1', async () => {
    const queries: string[] = [];
    const check = postgresCheck({ query: async (sql) => void queries.push(sql) });
    await check.check(signal);
    expect(check.name).toBe('postgres');
    expect(queries).toEqual(['SELECT 1']);
  });

  it('postgresCheck fails when the query fails or hangs', async () => {
    const failing = postgresCheck({ query: () => Promise.reject(new Error('connection refused')) });
    await expect(failing.check(signal)).rejects.toThrow('connection refused');
    const hanging = postgresCheck(
      { query: () => new Promise(() => undefined) },
      { timeoutMs: 20, name: 'db' },
    );
    await expect(hanging.check(signal)).rejects.toThrow('db timed out after 20ms');
  });

  it('kafkaCheck wraps any probe', async () => {
    await expect(kafkaCheck(async () => ({ brokers: 1 })).check(signal)).resolves.toBeUndefined();
    const down = kafkaCheck(() => Promise.reject(new Error('no brokers')), { name: 'broker' });
    expect(down.name).toBe('broker');
    await expect(down.check(signal)).rejects.toThrow('no brokers');
  });

  it('withTimeout passes results through', async () => {
    await expect(withTimeout(Promise.resolve(7), 50, 'x')).resolves.toBe(7);
  });
});
