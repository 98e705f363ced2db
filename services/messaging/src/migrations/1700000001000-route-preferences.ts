import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * A sender (route preference) for campaigns and single sends (issue 13):
 * - `campaigns.sender_route_id`, `sender_from`, `sender_fallback`: the route the campaign's
 *   messages take (one of the organization's routes), optionally one of its numbers, and whether
 *   they may fall over to the organization's other routes; no route: the routes decide. No
 *   foreign key: a route deleted later makes the campaign's sends fail with UNKNOWN_ROUTE (seen
 *   in its counters) rather than silently go elsewhere;
 * - `message_route_preferences`: the preference of a message that has one (written with it), so
 *   a failover and a scheduled or held message's dispatch keep it. Deleted with the message.
 */
export class RoutePreferences1700000001000 implements MigrationInterface {
  name = 'RoutePreferences1700000001000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE campaigns
         ADD COLUMN sender_route_id uuid,
         ADD COLUMN sender_from text,
         ADD COLUMN sender_fallback boolean NOT NULL DEFAULT false,
         ADD CONSTRAINT campaigns_sender_check CHECK (sender_route_id IS NOT NULL OR sender_from IS NULL)`,
    );
    await createTenantTable(
      runner,
      'message_route_preferences',
      `message_id uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
       route_id uuid NOT NULL,
       fallback boolean NOT NULL`,
      appRoleOf(),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE message_route_preferences`);
    await runner.query(
      `ALTER TABLE campaigns DROP CONSTRAINT campaigns_sender_check,
         DROP COLUMN sender_route_id, DROP COLUMN sender_from, DROP COLUMN sender_fallback`,
    );
  }
}
