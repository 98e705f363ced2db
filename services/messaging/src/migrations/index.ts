import { eventTablesMigration } from '@switchboard/service-kit';
import { MessagingTables1700000000100 } from './1700000000100-messaging-tables';

/** Every migration of the service, in order. */
export const migrations = [eventTablesMigration(), MessagingTables1700000000100];
