// jest globalSetup for the integration and end-to-end tiers: the stack must be up and
// healthy, otherwise the run fails here with the reason.
import { Client } from 'pg';
import { loadStackEnv, stackSetting } from './stack-env';
import { brokerControl } from './broker-control';

export default async function globalSetup(): Promise<void> {
  loadStackEnv();
  const pg = new Client({
    connectionString: stackSetting('PG_ADMIN_URL'),
    connectionTimeoutMillis: 5000,
  });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL of the local stack is not reachable: ${(error as Error).message}`);
  } finally {
    await pg.end().catch(() => undefined);
  }
  const pong = await brokerControl('ping').catch((error: Error) => {
    throw new Error(`the broker of the local stack is not reachable: ${error.message}`);
  });
  if (pong !== 'ok') throw new Error(`the broker's control interface answered "${pong}"`);
}
