import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addQuotaMmsPriceColumn } from '@switchboard/quota';

/** The quota projection keeps billing's highest MMS price (libs/quota: an MMS's local debit). */
export class QuotaMms1700000000600 implements MigrationInterface {
  name = 'QuotaMms1700000000600';

  async up(runner: QueryRunner): Promise<void> {
    await addQuotaMmsPriceColumn(runner);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE quota_states DROP COLUMN max_mms_price_minor`);
  }
}
