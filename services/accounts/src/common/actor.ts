import type { Principal } from '@switchboard/auth';

/** Who did it, for audit entries and events. */
export function actorOf(principal: Principal) {
  switch (principal.kind) {
    case 'user':
      return { kind: 'user' as const, id: principal.userId, orgId: principal.orgId };
    case 'api_token':
      return { kind: 'api_token' as const, id: principal.tokenId, orgId: principal.orgId };
    case 'device':
      return { kind: 'device' as const, id: principal.deviceId, orgId: principal.orgId };
    case 'service':
      return { kind: 'service' as const, id: principal.service };
  }
}
