// Applies the service's migrations with the owner role: `node dist/services/accounts/src/migrate.js`.
import { migrateService } from '@switchboard/service-kit';
import { loadAccountsConfig } from './config';
import { migrations } from './migrations';

void migrateService({ service: 'accounts', loadConfig: loadAccountsConfig, migrations });
