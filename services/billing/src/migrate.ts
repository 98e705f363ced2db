// Applies the service's migrations with the owner role: `node dist/services/billing/src/migrate.js`.
import { migrateService } from '@switchboard/service-kit';
import { loadBillingConfig } from './config';
import { migrations } from './migrations';

void migrateService({ service: 'billing', loadConfig: loadBillingConfig, migrations });
