// Applies the service's migrations with the owner role: `node dist/services/compliance/src/migrate.js`.
import { migrateService } from '@switchboard/service-kit';
import { loadComplianceConfig } from './config';
import { migrations } from './migrations';

void migrateService({ service: 'compliance', loadConfig: loadComplianceConfig, migrations });
