import { Client } from 'pg';
import { createHash } from 'node:crypto';
import { backoffDelay, definedOnly } from './backoff';
import { OUTBOX_CHANNEL } from './event-tables';
import type { EventPublisher, OutgoingRecord } from './event-publisher';
import type { KafkaHeaders } from './headers';

export interface RelayLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface OutboxRelayOptions {
  /** The service database (application role). */
  connectionString: string;
  publisher: EventPublisher;
  /** Replicas of one service share the lease; name it after the service. */
  leaseName: string;
  batchSize?: number;
  /** Polling interval besides LISTEN/NOTIFY (notifications can be missed on reconnects). */
  pollIntervalMs?: number;
  /** Published rows are deleted after this long. */
  retentionMs?: number;
  cleanupIntervalMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  logger?: RelayLogger;
  /** Test hook: runs after a batch is on Kafka, before it is marked published. */
  afterPublish?: (eventIds: string[]) => Promise<void>;
}

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  record_key: string;
  payload: Buffer;
  headers: KafkaHeaders;
}

const silent: RelayLogger = { warn: () => undefined, error: () => undefined };

/**
 * Publishes the outbox to Kafka, in id order (so in order per key), at least once: a crash
 * between publishing and marking republishes the batch, and consumers drop the duplicates by
 * event id. One replica at a time relays: it holds a session advisory lock (the lease) on its
 * own connection, which PostgreSQL releases when that connection dies. The leader wakes on
 * NOTIFY from the outbox trigger and also polls.
 */
export class OutboxRelay {
  private client?: Client;
  private leader = false;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastCleanup = 0;
  private readonly lockKey: bigint;
  private readonly o: Required<Omit<OutboxRelayOptions, 'afterPublish'>> &
    Pick<OutboxRelayOptions, 'afterPublish'>;

  constructor(options: OutboxRelayOptions) {
    this.o = {
      batchSize: 500,
      pollIntervalMs: 1000,
      retentionMs: 7 * 24 * 3600 * 1000,
      cleanupIntervalMs: 60_000,
      retryInitialMs: 200,
      retryMaxMs: 10_000,
      logger: silent,
      ...definedOnly(options),
    };
    this.lockKey = createHash('sha256')
      .update(`outbox-relay:${options.leaseName}`)
      .digest()
      .readBigInt64BE(0);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in progress; releases the lease. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.disconnect();
  }

  /** How many events wait to be published (for readiness, metrics and tests). */
  async pendingCount(): Promise<number> {
    const client = new Client({ connectionString: this.o.connectionString });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
      );
      return rows[0].n;
    } finally {
      await client.end();
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const client = await this.connect();
        if (!this.leader) {
          const { rows } = await client.query<{ ok: boolean }>(
            'SELECT pg_try_advisory_lock($1) AS ok',
            [this.lockKey.toString()],
          );
          this.leader = rows[0].ok;
          if (!this.leader) {
            await this.idle();
            continue;
          }
        }
        const published = await this.publishBatch(client);
        failures = 0;
        if (published === this.o.batchSize) continue;
        await this.cleanup(client);
        await this.idle();
      } catch (error) {
        failures++;
        this.o.logger.warn('outbox relay: publishing failed, will retry', {
          error: (error as Error).message,
          failures,
        });
        await this.disconnect();
        await this.idle(backoffDelay(failures, this.o.retryInitialMs, this.o.retryMaxMs));
      }
    }
  }

  private async publishBatch(client: Client): Promise<number> {
    const { rows } = await client.query<OutboxRow>(
      `SELECT id, event_id, topic, record_key, payload, headers FROM outbox
        WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [this.o.batchSize],
    );
    if (rows.length === 0) return 0;
    const records: OutgoingRecord[] = rows.map((r) => ({
      topic: r.topic,
      key: r.record_key,
      value: r.payload,
      headers: r.headers,
    }));
    try {
      await this.o.publisher.publish(records);
    } catch (error) {
      await client
        .query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [
          rows[0].id,
          (error as Error).message,
        ])
        .catch(() => undefined);
      throw error;
    }
    await this.o.afterPublish?.(rows.map((r) => r.event_id));
    await client.query(
      'UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])',
      [rows.map((r) => r.id)],
    );
    return rows.length;
  }

  private async cleanup(client: Client): Promise<void> {
    if (Date.now() - this.lastCleanup < this.o.cleanupIntervalMs) return;
    this.lastCleanup = Date.now();
    await client.query(
      `DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)`,
      [this.o.retentionMs / 1000],
    );
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ connectionString: this.o.connectionString });
    client.on('error', (error) => {
      this.o.logger.warn('outbox relay: database connection lost', { error: error.message });
      if (this.client === client) {
        this.client = undefined;
        this.leader = false;
      }
    });
    client.on('notification', () => this.wake?.());
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.client = client;
    return client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.leader = false;
    // Closing the session releases the advisory lock.
    await client?.end().catch(() => undefined);
  }

  private idle(ms = this.o.pollIntervalMs): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
