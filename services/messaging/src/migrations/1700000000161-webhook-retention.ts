import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention of the webhook delivery log: `payload_redacted_at` marks a `message.received`
 * delivery whose payload lost the message body (body retention); the partial index finds the
 * ones still to redact, oldest first.
 */
export class WebhookRetention1700000000161 implements MigrationInterface {
  name = 'WebhookRetention1700000000161';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE webhook_deliveries ADD COLUMN payload_redacted_at timestamptz`);
    await runner.query(
      `CREATE INDEX webhook_deliveries_body_to_redact ON webhook_deliveries (org_id, created_at)
        WHERE event_type = 'message.received' AND payload_redacted_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX webhook_deliveries_body_to_redact`);
    await runner.query(`ALTER TABLE webhook_deliveries DROP COLUMN payload_redacted_at`);
  }
}
