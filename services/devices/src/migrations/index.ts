import { EventTables1700000000000 } from './1700000000000-event-tables';
import { Fleet1720000000000 } from './1720000000000-fleet';

/** Every migration of the service, in order. */
export const migrations = [EventTables1700000000000, Fleet1720000000000];
