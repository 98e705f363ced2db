import { Injectable } from '@nestjs/common';
import type {
  OutboundDraft,
  PolicyVerdict,
  PreSendContext,
  PreSendPolicy,
} from './pre-send-policy';

const BLOCKED: Record<string, string> = {
  SUSPENDED: 'The organization is suspended',
  DELETION_SCHEDULED: 'The organization is closed and scheduled for deletion',
  DELETED: 'The organization was deleted',
};

/** Organizations that may not send (suspended, closed): the message is REJECTED. */
@Injectable()
export class OrganizationStatusPolicy implements PreSendPolicy {
  readonly name = 'organization-status';

  check(_draft: Readonly<OutboundDraft>, context: PreSendContext): PolicyVerdict {
    const status = context.organization?.status;
    if (status && BLOCKED[status]) {
      return { kind: 'reject', code: 'ORGANIZATION_SUSPENDED', reason: BLOCKED[status] };
    }
    return { kind: 'allow' };
  }
}
