// Applies the service's migrations with the owner role: `node dist/services/messaging/src/migrate.js`.
import { migrateService } from '@switchboard/service-kit';
import { loadMessagingConfig } from './config';
import { migrations } from './migrations';

void migrateService({ service: 'messaging', loadConfig: loadMessagingConfig, migrations });
