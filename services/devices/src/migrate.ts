// Applies the service's migrations with the owner role: `node dist/services/devices/src/migrate.js`.
import { migrateService } from '@switchboard/service-kit';
import { loadDevicesConfig } from './config';
import { migrations } from './migrations';

void migrateService({ service: 'devices', loadConfig: loadDevicesConfig, migrations });
