import { Inject, Injectable } from '@nestjs/common';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { analyzeSms, obviouslyTooLong } from '@switchboard/sms';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import type { OutboundDraft, PolicyVerdict, PreSendPolicy } from './pre-send-policy';

/**
 * A body is required (unless media is given) and may take at most MESSAGE_MAX_SEGMENTS
 * segments; the draft continues with its encoding and segment count.
 */
@Injectable()
export class BodyPolicy implements PreSendPolicy {
  readonly name = 'body';

  constructor(
    @Inject(MESSAGING_CONFIG)
    private readonly config: Pick<MessagingConfig, 'MESSAGE_MAX_SEGMENTS'>,
  ) {}

  check(draft: Readonly<OutboundDraft>): PolicyVerdict {
    const max = this.config.MESSAGE_MAX_SEGMENTS;
    if (draft.body.trim() === '' && draft.mediaUrls.length === 0) {
      return {
        kind: 'invalid',
        error: new MessagingException(MessagingErrorCode.BODY_REQUIRED, 'A message needs a body'),
      };
    }
    const tooLong = (segments?: number) => ({
      kind: 'invalid' as const,
      error: new MessagingException(
        MessagingErrorCode.BODY_TOO_LONG,
        `The body takes ${segments ?? 'more'} segments; at most ${max} are allowed`,
        { details: { maxSegments: max, ...(segments ? { segments } : {}) } },
      ),
    });
    if (obviouslyTooLong(draft.body, max)) return tooLong();
    const sms = analyzeSms(draft.body);
    if (sms.segments > max) return tooLong(sms.segments);
    return { kind: 'allow', patch: { encoding: sms.encoding, segments: sms.segments } };
  }
}
