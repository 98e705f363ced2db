import type { Principal } from '@switchboard/auth';

/** Who caused a change, as the history and the audit log record it. */
export interface Actor {
  kind: 'user' | 'api_token' | 'device' | 'service' | 'system';
  id: string;
  orgId?: string;
}

/** The principal behind a request as an actor. */
export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'user':
      return { kind: 'user', id: principal.userId, orgId: principal.orgId };
    case 'api_token':
      return { kind: 'api_token', id: principal.tokenId, orgId: principal.orgId };
    case 'device':
      return { kind: 'device', id: principal.deviceId, orgId: principal.orgId };
    case 'service':
      return { kind: 'service', id: principal.service };
  }
}

/** This service acting on its own (a consumer reacting to an event). */
export const COMPLIANCE_SERVICE: Actor = Object.freeze({ kind: 'service', id: 'compliance' });
