import type { PrincipalKind } from './principal';

/**
 * Where platform-admin accesses are recorded. Each service provides it under AUDIT_SINK
 * (writing to its outbox → `compliance.audit.v1`).
 */
export const AUDIT_SINK = Symbol('AUDIT_SINK');

export interface AuditEntry {
  actor: { kind: PrincipalKind; id: string; orgId?: string };
  /** What was done, `<resource>.<verb>`: `organization.read`. */
  action: string;
  targetOrgId?: string;
  resourceType?: string;
  resourceId?: string;
  /** The access reason the admin gave. */
  reason?: string;
  outcome: 'success' | 'failure';
  occurredAt: Date;
  correlationId?: string;
}

export interface AuditSink {
  record(entry: AuditEntry): Promise<void>;
}
