import { EventTables1700000000000 } from './1700000000000-event-tables';
import { MessagingTables1700000000100 } from './1700000000100-messaging-tables';

/** Every migration of the service, in order. */
export const migrations = [EventTables1700000000000, MessagingTables1700000000100];
