import { eventTablesMigration } from '@switchboard/service-kit';
import { Fleet1720000000000 } from './1720000000000-fleet';

/** Every migration of the service, in order. */
export const migrations = [eventTablesMigration(), Fleet1720000000000];
