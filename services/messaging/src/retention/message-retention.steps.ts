import { Injectable } from '@nestjs/common';
import { countedStep, type RetentionStep } from '@switchboard/retention';
import { Clock } from '@switchboard/service-kit';
import { MessageRetentionRepository } from './message-retention.repository';

/**
 * Messaging's retention steps: bodies (and media URLs) redacted `bodyRetentionDays` after the
 * message's final status; messages purged `metadataRetentionMonths` after it, then the
 * conversations left empty.
 */
@Injectable()
export class MessageRetentionSteps {
  constructor(
    private readonly repository: MessageRetentionRepository,
    private readonly clock: Clock,
  ) {}

  all(): RetentionStep[] {
    return [
      countedStep('message-bodies', 'bodies_redacted', (tx, cut, limit) =>
        this.repository.redactBodies(tx, cut.bodiesBefore, this.clock.now(), limit),
      ),
      {
        job: 'message-metadata',
        batch: async (tx, cut, limit) => {
          const messages = await this.repository.purgeMessages(tx, cut.metadataBefore, limit);
          const conversations =
            messages < limit
              ? await this.repository.purgeEmptyConversations(tx, cut.metadataBefore, limit)
              : 0;
          return {
            counts: { messages_purged: messages, conversations_purged: conversations },
            more: messages === limit || conversations === limit,
          };
        },
      },
    ];
  }
}
