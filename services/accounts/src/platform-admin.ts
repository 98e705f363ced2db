// Grants or revokes the platform ADMIN role:
//   node dist/services/accounts/src/platform-admin.js grant|revoke <email>
// The change applies to the user's next login or refresh (access tokens live 15 minutes).
// It is audited (compliance.audit.v1) like every other role change.
import 'reflect-metadata';
import { addToOutbox, auditEventDraft } from '@switchboard/events';
import { createLogger } from '@switchboard/observability';
import { SystemClock } from '@switchboard/service-kit';
import { inGlobalTransaction, rows } from '@switchboard/tenancy';
import { DataSource } from 'typeorm';
import { loadAccountsConfig } from './config';

async function main(): Promise<void> {
  const [command, email] = process.argv.slice(2);
  if (!['grant', 'revoke'].includes(command) || !email) {
    throw new Error('usage: platform-admin.js grant|revoke <email>');
  }
  const config = loadAccountsConfig();
  const logger = createLogger({ service: 'accounts', level: config.LOG_LEVEL });
  const dataSource = new DataSource({ type: 'postgres', url: config.DATABASE_URL });
  await dataSource.initialize();
  try {
    const changed = await inGlobalTransaction(dataSource, async (tx) => {
      const now = new SystemClock().now();
      const [user] = await rows<{ id: string }>(
        tx,
        `UPDATE users SET is_platform_admin = $2, updated_at = $3 WHERE lower(email) = lower($1) RETURNING id`,
        [email, command === 'grant', now],
      );
      if (!user) return undefined;
      await addToOutbox(
        tx,
        'accounts',
        auditEventDraft(
          {
            actor: { kind: 'system', id: 'accounts.platform-admin-cli' },
            action: command === 'grant' ? 'platform_admin.grant' : 'platform_admin.revoke',
            resourceType: 'user',
            resourceId: user.id,
            privileged: true,
            reason: 'command line',
            outcome: 'success',
            occurredAt: now,
          },
          'accounts',
        ),
      );
      return user.id;
    });
    if (!changed) throw new Error('no user with this email');
    logger.info({ userId: changed, command }, 'platform admin role changed');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
