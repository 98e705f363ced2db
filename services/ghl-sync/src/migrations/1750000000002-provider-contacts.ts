import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The number a provider message went to: an inbound reply from it goes back to the GHL location
 * that wrote to it (an organization may have several), and STOP sets DND there. Personal data:
 * kept under the request-log retention and cleared by the retention job.
 */
export class ProviderContacts1750000000002 implements MigrationInterface {
  name = 'ProviderContacts1750000000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE provider_messages ADD COLUMN contact_phone text`);
    await runner.query(
      `CREATE INDEX provider_messages_phone ON provider_messages (org_id, contact_phone, received_at DESC)
         WHERE contact_phone IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE provider_messages DROP COLUMN contact_phone`);
  }
}
