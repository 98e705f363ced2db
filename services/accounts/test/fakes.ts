// In-memory stand-ins for the injectables of accounts' services, for `*.service.spec.ts`
// (no database, no broker): a DataSource whose transactions hand out a manager that accepts
// the tenant and RLS settings and nothing else, and a recorder for AccountsEvents.
import type { DataSource, EntityManager } from 'typeorm';

/** A DataSource for service specs: `transaction(work)` runs work with a settings-only manager. */
export function fakeDataSource(): DataSource {
  const manager = {
    query: async (sql: string) => {
      if (/^SELECT set_config\(/.test(sql)) return [];
      throw new Error(`a service spec ran SQL outside its repository fakes: ${sql}`);
    },
  } as unknown as EntityManager;
  return {
    manager,
    transaction: async <T>(work: (m: EntityManager) => Promise<T>) => work(manager),
  } as unknown as DataSource;
}

/** Records every call to an object's methods (`calls` as [method, ...args]). */
export function recorder<T extends object>(): { fake: T; calls: [string, ...unknown[]][] } {
  const calls: [string, ...unknown[]][] = [];
  const fake = new Proxy(
    {},
    {
      get:
        (_target, method: string) =>
        async (...args: unknown[]) => {
          calls.push([method, ...args]);
          return undefined;
        },
    },
  ) as T;
  return { fake, calls };
}
