// Applies the service's migrations with the owner role: `node dist/services/ghl-sync/src/migrate.js`.
import { migrateService } from '@switchboard/service-kit';
import { loadGhlSyncConfig } from './config';
import { migrations } from './migrations';

void migrateService({ service: 'ghl-sync', loadConfig: loadGhlSyncConfig, migrations });
