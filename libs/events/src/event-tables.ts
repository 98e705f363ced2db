/** Anything that runs SQL: a TypeORM QueryRunner/EntityManager or a pg client. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export const OUTBOX_CHANNEL = 'switchboard_outbox';

/**
 * The migration every service that publishes or consumes events runs once:
 *
 * - `outbox`: events written in the same transaction as the state they describe; the relay
 *   publishes them in id order and marks them. Not a tenant table (the relay serves every
 *   tenant); the tenant travels in `headers`.
 * - `processed_events`: ids of the events a consumer group has applied, written in the same
 *   transaction as the effect, so a redelivered event has no second effect.
 * - A statement trigger that NOTIFYs the relay on commit (rolled-back inserts notify nobody).
 */
export async function createEventTables(runner: SqlRunner, appRole: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(appRole)) throw new Error(`not a safe role name: ${appRole}`);
  await runner.query(`
    CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      topic text NOT NULL,
      record_key text NOT NULL,
      event_type text NOT NULL,
      payload bytea NOT NULL,
      headers jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    )`);
  await runner.query(`CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL`);
  await runner.query(
    `CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL`,
  );
  await runner.query(`
    CREATE TABLE processed_events (
      consumer_group text NOT NULL,
      event_id text NOT NULL,
      topic text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_group, event_id)
    )`);
  await runner.query(
    `CREATE INDEX processed_events_processed_at ON processed_events (processed_at)`,
  );
  await runner.query(`
    CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${OUTBOX_CHANNEL}', '');
      RETURN NULL;
    END $$`);
  await runner.query(
    `CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`,
  );
  await runner.query(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON outbox, processed_events TO ${appRole}`,
  );
  await runner.query(`GRANT USAGE, SELECT ON SEQUENCE outbox_id_seq TO ${appRole}`);
}
