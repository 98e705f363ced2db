import type { AuditRecord } from '@switchboard/events';

/** Who caused a change, as the history and the audit log record it (libs/events' audit actor). */
export type Actor = AuditRecord['actor'];

/** The principal behind a request as an actor. */
export { auditActorOf as actorOf } from '@switchboard/events';

/** This service acting on its own (a consumer reacting to an event). */
export const COMPLIANCE_SERVICE: Actor = Object.freeze({ kind: 'service', id: 'compliance' });
