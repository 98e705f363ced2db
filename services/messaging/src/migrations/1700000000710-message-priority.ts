import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settable message priority (area I's block 17000000007xx, after G's 700; issue 13):
 * - `messages.priority`: the queue priority the sender asked for (0–100); NULL: the purpose's
 *   default (domain/message-priority), so existing rows keep theirs;
 * - `campaigns.priority`: the priority of a campaign's messages; NULL: the campaign default;
 * - `carrier_dispatch_queue.priority`: the carrier worker claims due sends highest priority
 *   first (50, the transactional default, for rows queued before this column).
 */
export class MessagePriority1700000000710 implements MigrationInterface {
  name = 'MessagePriority1700000000710';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE messages ADD COLUMN priority smallint CHECK (priority BETWEEN 0 AND 100)`,
    );
    await runner.query(
      `ALTER TABLE campaigns ADD COLUMN priority smallint CHECK (priority BETWEEN 0 AND 100)`,
    );
    await runner.query(
      `ALTER TABLE carrier_dispatch_queue
         ADD COLUMN priority smallint NOT NULL DEFAULT 50 CHECK (priority BETWEEN 0 AND 100)`,
    );
    await runner.query(
      `CREATE INDEX carrier_dispatch_queue_by_priority ON carrier_dispatch_queue (priority DESC, due_at)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX carrier_dispatch_queue_by_priority`);
    await runner.query(`ALTER TABLE carrier_dispatch_queue DROP COLUMN priority`);
    await runner.query(`ALTER TABLE campaigns DROP COLUMN priority`);
    await runner.query(`ALTER TABLE messages DROP COLUMN priority`);
  }
}
