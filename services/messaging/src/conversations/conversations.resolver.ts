import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { isUuid } from '@switchboard/tenancy';
import {
  MessageConnection,
  MessageModel,
  toMessageConnection,
  toMessageModel,
} from '../messages/message.model';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { MessagesService } from '../messages/messages.service';
import {
  ConversationConnection,
  ConversationModel,
  ConversationsFilter,
  toConversationConnection,
  toConversationModel,
} from './conversation.model';
import { ConversationsService } from './conversations.service';

function checkId(id: string): string {
  if (!isUuid(id)) {
    throw new MessagingException(MessagingErrorCode.CONVERSATION_NOT_FOUND, 'No such conversation');
  }
  return id.toLowerCase();
}

@Resolver(() => ConversationModel)
export class ConversationsResolver {
  constructor(
    private readonly conversationService: ConversationsService,
    private readonly messageService: MessagesService,
  ) {}

  @Scopes('messages:read')
  @Query(() => ConversationConnection, {
    description: 'Your conversations, most recent activity first, with unread counts.',
  })
  async conversations(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => ConversationsFilter, nullable: true })
    filter?: ConversationsFilter | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<ConversationConnection> {
    const page = await this.conversationService.list(requireOrg(principal), filter ?? {}, {
      first,
      after,
    });
    return toConversationConnection(page);
  }

  @Scopes('messages:read')
  @Query(() => ConversationModel)
  async conversation(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ConversationModel> {
    return toConversationModel(
      await this.conversationService.get(requireOrg(principal), checkId(id)),
    );
  }

  // A write: it changes what every member sees as unread. It returns the conversation, so
  // reading is needed too.
  @Scopes('messages:read', 'messages:send')
  @Mutation(() => ConversationModel, { description: 'Sets the unread count to zero.' })
  async markConversationRead(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ConversationModel> {
    return toConversationModel(
      await this.conversationService.markRead(requireOrg(principal), checkId(id)),
    );
  }

  @ResolveField(() => MessageConnection, { description: 'Its messages, newest first.' })
  async messages(
    @Parent() conversation: ConversationModel,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<MessageConnection> {
    const page = await this.messageService.list(
      conversation.orgId,
      { conversationId: conversation.id },
      { first, after },
    );
    return toMessageConnection(page);
  }

  @ResolveField(() => MessageModel, { nullable: true })
  async lastMessage(@Parent() conversation: ConversationModel): Promise<MessageModel | null> {
    if (!conversation.lastMessageId) return null;
    try {
      return toMessageModel(
        await this.messageService.get(conversation.orgId, conversation.lastMessageId),
      );
    } catch (error) {
      // Purged by retention since the conversation was last written: no last message.
      if (
        error instanceof MessagingException &&
        error.code === MessagingErrorCode.MESSAGE_NOT_FOUND
      )
        return null;
      throw error;
    }
  }
}
