import { Client } from 'pg';
import { stackSetting } from './stack-env';

/**
 * Runs SQL on a test database as the stack's superuser: row-level security does not apply
 * (assertions across tenants only; services never connect like this).
 */
export async function sqlAsSuperuser<T = Record<string, unknown>>(
  database: string,
  text: string,
  params?: unknown[],
): Promise<T[]> {
  const url = new URL(stackSetting('PG_ADMIN_URL'));
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
