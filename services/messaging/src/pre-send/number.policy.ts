import { Injectable } from '@nestjs/common';
import { normalizePhoneNumber } from '../domain/phone-number';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import type {
  OutboundDraft,
  PolicyVerdict,
  PreSendContext,
  PreSendPolicy,
} from './pre-send-policy';

/** `to` (and `from` when given) must be valid numbers; they continue in E.164. */
@Injectable()
export class NumberPolicy implements PreSendPolicy {
  readonly name = 'number';

  check(draft: Readonly<OutboundDraft>, context: PreSendContext): PolicyVerdict {
    const to = normalizePhoneNumber(draft.to, context.defaultCountry);
    if (!to.ok) {
      return {
        kind: 'invalid',
        error: new MessagingException(
          MessagingErrorCode.INVALID_NUMBER,
          `"to" is not a valid phone number (${to.reason})`,
          { details: { field: 'to', reason: to.reason } },
        ),
      };
    }
    let from: string | null = null;
    if (draft.from !== null) {
      const parsed = normalizePhoneNumber(draft.from, context.defaultCountry);
      if (!parsed.ok) {
        return {
          kind: 'invalid',
          error: new MessagingException(
            MessagingErrorCode.INVALID_NUMBER,
            `"from" is not a valid phone number (${parsed.reason})`,
            { details: { field: 'from', reason: parsed.reason } },
          ),
        };
      }
      from = parsed.e164;
    }
    return { kind: 'allow', patch: { to: to.e164, from } };
  }
}
