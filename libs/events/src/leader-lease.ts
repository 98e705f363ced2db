import { createHash } from 'node:crypto';
import { Client } from 'pg';

/** Where the lease and job runner report trouble (a Nest logger adapts: see `nestJobLogger`). */
export interface JobLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentJobLogger: JobLogger = { warn: () => undefined, error: () => undefined };

export interface LeaderLeaseOptions {
  /** The service database (application role). The lease holds a connection of its own. */
  connectionString: string;
  /**
   * What is led, e.g. `outbox-relay:messaging`: the replicas that use the same name share one
   * lease. The advisory lock key is derived from it.
   */
  name: string;
  /** Runs on every new connection, before the lock is tried (e.g. `LISTEN`). */
  onConnect?: (client: Client) => Promise<void>;
  /**
   * The holder's work runs on the lease's own connection (`connection`; the outbox relay): a
   * held lease is then not re-checked on `acquire()` — the session doing the work is the one
   * holding the lock, and if it ended, the work's first statement fails (the holder gives the
   * lease up) or the connection's error event already dropped it. Saves a pg_locks read per run.
   */
  workOnConnection?: boolean;
  logger?: JobLogger;
}

/** The advisory lock key of a lease name: the first 8 bytes of its SHA-256, as a signed bigint. */
export function leaseKey(name: string): bigint {
  return createHash('sha256').update(name).digest().readBigInt64BE(0);
}

/**
 * One leader among the replicas of a service: a PostgreSQL session advisory lock held on a
 * dedicated connection. PostgreSQL releases it when that session ends, so a crashed or
 * partitioned leader's lease frees itself and another replica takes over on its next
 * `acquire()`. A held lease is re-checked on every `acquire()` (the connection is alive and its
 * session still holds the lock) before the holder does work as the leader, unless that work runs
 * on the lease's own connection (`workOnConnection`).
 */
export class LeaderLease {
  readonly key: bigint;
  private client?: Client;
  private held = false;
  private readonly logger: JobLogger;

  constructor(private readonly options: LeaderLeaseOptions) {
    this.key = leaseKey(options.name);
    this.logger = options.logger ?? silentJobLogger;
  }

  get name(): string {
    return this.options.name;
  }

  /** Whether this process held the lease when last checked. */
  get isLeader(): boolean {
    return this.held;
  }

  /** The lease's own connection (for work that belongs with it, e.g. the relay's queries). */
  get connection(): Client | undefined {
    return this.client;
  }

  /**
   * Whether this process leads now: re-checks a held lease, or tries to take a free one (never
   * waits for it). A broken connection is dropped and the error thrown; the next call starts a
   * new session.
   */
  async acquire(): Promise<boolean> {
    try {
      const client = await this.connect();
      if (this.held && (this.options.workOnConnection || (await this.stillHeld(client)))) {
        return true;
      }
      if (this.held) this.logger.warn('leader lease lost', { lease: this.options.name });
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS ok',
        [this.key.toString()],
      );
      this.held = rows[0].ok;
      return this.held;
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  /** Gives the lease up (ends its session, which releases the lock). */
  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held = false;
    await client?.end().catch(() => undefined);
  }

  private async stillHeld(client: Client): Promise<boolean> {
    // pg_locks shows a bigint advisory key as two oids: its high and low 32 bits.
    const unsigned = BigInt.asUintN(64, this.key);
    const { rows } = await client.query<{ held: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM pg_locks
          WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
            AND classid = $1::bigint::oid AND objid = $2::bigint::oid) AS held`,
      [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()],
    );
    return rows[0].held;
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ connectionString: this.options.connectionString });
    client.on('error', (error) => {
      this.logger.warn('leader lease: database connection lost', {
        lease: this.options.name,
        error: error.message,
      });
      if (this.client === client) {
        this.client = undefined;
        this.held = false;
      }
    });
    try {
      await client.connect();
      await this.options.onConnect?.(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }
}
