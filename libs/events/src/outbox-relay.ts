import { Client } from 'pg';
import { backoffDelay, definedOnly } from './backoff';
import { OUTBOX_CHANNEL } from './event-tables';
import type { EventPublisher, OutgoingRecord } from './event-publisher';
import type { KafkaHeaders } from './headers';
import { LeaderLease, silentJobLogger, type JobLogger } from './leader-lease';
import { PeriodicJob } from './periodic-job';

/** The relay's logger (any JobLogger). */
export type RelayLogger = JobLogger;

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

/** Batches one run relays before it lets the job run again (and a stop in). */
const MAX_BATCHES_PER_RUN = 20;

/** Marks the outbox rows `$1` published. */
const MARK_PUBLISHED =
  'UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])';

/** Marks the published batch ($1) and reads up to $2 events waiting. */
const NEXT_BATCH = `WITH marked AS (${MARK_PUBLISHED})
  SELECT id, event_id, topic, record_key, payload, headers FROM outbox
   WHERE published_at IS NULL AND id <> ALL($1::bigint[]) ORDER BY id LIMIT $2`;

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  record_key: string;
  payload: Buffer;
  headers: KafkaHeaders;
}

/**
 * Publishes the outbox to Kafka, in id order (so in order per key), at least once: a crash
 * between publishing and marking republishes the batch, and consumers drop the duplicates by
 * event id. One replica at a time relays: the holder of the `outbox-relay:<leaseName>`
 * LeaderLease (a session advisory lock on the relay's own connection, which PostgreSQL releases
 * when that connection dies). The relay is a PeriodicJob: the leader wakes on NOTIFY from the
 * outbox trigger and also polls, and relays batch after batch while rows wait (each batch is
 * marked in the statement that reads the next); a failure gives the lease up and is retried
 * with backoff.
 */
export class OutboxRelay {
  private readonly lease: LeaderLease;
  private readonly job: PeriodicJob;
  private lastCleanup = 0;
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
      logger: silentJobLogger,
      ...definedOnly(options),
    };
    this.lease = new LeaderLease({
      connectionString: this.o.connectionString,
      name: `outbox-relay:${this.o.leaseName}`,
      logger: this.o.logger,
      // The relay reads, marks and cleans up on the lease's connection (relayBatch).
      workOnConnection: true,
      onConnect: async (client) => {
        client.on('notification', () => this.job.wake());
        await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      },
    });
    this.job = new PeriodicJob({
      name: 'outbox relay',
      intervalMs: this.o.pollIntervalMs,
      lease: this.lease,
      retryDelayMs: (failures) => backoffDelay(failures, this.o.retryInitialMs, this.o.retryMaxMs),
      logger: this.o.logger,
      run: () => this.relayBatch(),
    });
  }

  get isLeader(): boolean {
    return this.lease.isLeader;
  }

  start(): void {
    this.job.start();
  }

  /** Stops after the batch in progress; releases the lease. */
  stop(): Promise<void> {
    return this.job.stop();
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

  /**
   * Batches, as the leader, until none is waiting; true when it stopped with more waiting. A
   * published batch is marked in the same statement that reads the next one (events written
   * while a batch was on its way go at once, in one round trip less per batch).
   */
  private async relayBatch(): Promise<boolean> {
    const client = this.lease.connection;
    if (!client) return false;
    try {
      let batch = await this.next(client, []);
      for (let run = 1; batch.length > 0; run++) {
        await this.publish(client, batch);
        const ids = batch.map((r) => r.id);
        if (run === MAX_BATCHES_PER_RUN) {
          await client.query(MARK_PUBLISHED, [ids]);
          return true;
        }
        batch = await this.next(client, ids);
      }
      await this.cleanup(client);
      return false;
    } catch (error) {
      // The connection may be broken and Kafka may be away: another replica may do better.
      await this.lease.release();
      throw error;
    }
  }

  /** Marks `published` (a batch now on Kafka) and reads the next batch, in one statement. */
  private async next(client: Client, published: string[]): Promise<OutboxRow[]> {
    const { rows } = await client.query<OutboxRow>({
      // Prepared once on the lease's connection: under load it runs once a batch.
      name: 'outbox_relay_next',
      text: NEXT_BATCH,
      values: [published, this.o.batchSize],
    });
    return rows;
  }

  private async publish(client: Client, rows: OutboxRow[]): Promise<void> {
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
  }

  private async cleanup(client: Client): Promise<void> {
    if (Date.now() - this.lastCleanup < this.o.cleanupIntervalMs) return;
    this.lastCleanup = Date.now();
    await client.query(
      `DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)`,
      [this.o.retentionMs / 1000],
    );
  }
}
