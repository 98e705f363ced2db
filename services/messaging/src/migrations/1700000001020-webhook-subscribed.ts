import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantCheck } from '@switchboard/tenancy';

/**
 * `webhook_subscribed(tenant, event_type)`: whether an organization has an enabled webhook
 * endpoint for an event type, in one statement outside any transaction — the webhooks consumer
 * skips the events of organizations without one before opening a transaction (issue 17).
 */
export class WebhookSubscribed1700000001020 implements MigrationInterface {
  name = 'WebhookSubscribed1700000001020';

  async up(runner: QueryRunner): Promise<void> {
    await createTenantCheck(
      runner,
      'webhook_subscribed',
      { event_type: 'text' },
      `EXISTS (SELECT 1 FROM webhook_endpoints
         WHERE org_id = tenant AND enabled AND event_type = ANY(event_types))`,
      appRoleOf(),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION webhook_subscribed(uuid, text)`);
  }
}
