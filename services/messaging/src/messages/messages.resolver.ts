import {
  Args,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  ResolveReference,
  Resolver,
} from '@nestjs/graphql';
import {
  AccessReasonArg,
  CurrentPrincipal,
  FederationCaller,
  PlatformAdminOperation,
  requireOrg,
  Scopes,
  type GraphQLRequestContext,
  type Principal,
} from '@switchboard/auth';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { auditActorOf } from '@switchboard/events';
import { isUuid } from '@switchboard/tenancy';
import { ConversationModel, toConversationModel } from '../conversations/conversation.model';
import { ConversationsService } from '../conversations/conversations.service';
import {
  MessageConnection,
  MessageModel,
  MessagesFilter,
  SendMessageInput,
  SendMessagesPayload,
  toMessageConnection,
  toMessageFilter,
  toMessageModel,
  toSendMessagesPayload,
} from './message.model';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { MessagesService } from './messages.service';

function checkId(id: string): string {
  if (!isUuid(id))
    throw new MessagingException(MessagingErrorCode.MESSAGE_NOT_FOUND, 'No such message');
  return id.toLowerCase();
}

/** GraphQL: thin, one service call per field; the tenant is always the caller's organization. */
@Resolver(() => MessageModel)
export class MessagesResolver {
  constructor(
    private readonly messageService: MessagesService,
    private readonly conversationService: ConversationsService,
    private readonly caller: FederationCaller,
  ) {}

  @Scopes('messages:read')
  @Query(() => MessageModel, { description: 'One message of your organization.' })
  async message(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<MessageModel> {
    return toMessageModel(await this.messageService.get(requireOrg(principal), checkId(id)));
  }

  @Scopes('messages:read')
  @Query(() => MessageConnection, { description: 'Your organization’s messages, newest first.' })
  async messages(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => MessagesFilter, nullable: true }) filter?: MessagesFilter | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<MessageConnection> {
    const page = await this.messageService.list(requireOrg(principal), toMessageFilter(filter), {
      first,
      after,
    });
    return toMessageConnection(page);
  }

  @PlatformAdminOperation('message.list', { targetOrgArg: 'orgId', resourceType: 'message' })
  @Query(() => MessageConnection, {
    description: "Platform admins: an organization's messages. Needs a reason; audited.",
  })
  async adminMessages(
    @Args('orgId', { type: () => ID }) orgId: string,
    @AccessReasonArg() _reason?: string,
    @Args('filter', { type: () => MessagesFilter, nullable: true }) filter?: MessagesFilter | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<MessageConnection> {
    if (!isUuid(orgId))
      throw new CommonException(CommonErrorCode.NOT_FOUND, 'No such organization');
    const page = await this.messageService.list(orgId.toLowerCase(), toMessageFilter(filter), {
      first,
      after,
    });
    return toMessageConnection(page);
  }

  @Scopes('messages:send')
  @Mutation(() => MessageModel, {
    description: 'Sends an SMS: returns it QUEUED (or SCHEDULED, or REJECTED by a sending policy).',
  })
  async sendMessage(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => SendMessageInput }) input: SendMessageInput,
  ): Promise<MessageModel> {
    return toMessageModel(await this.messageService.send(requireOrg(principal), input));
  }

  @Scopes('messages:send')
  @Mutation(() => SendMessagesPayload, {
    description:
      'Sends up to 1,000 SMS, each as sendMessage would (its own idempotency key, policies and rate limit): one result per input, a message or a typed error; one bad input does not fail the others.',
  })
  async sendMessages(
    @CurrentPrincipal() principal: Principal,
    @Args('inputs', { type: () => [SendMessageInput] }) inputs: SendMessageInput[],
  ): Promise<SendMessagesPayload> {
    return toSendMessagesPayload(
      await this.messageService.sendBatch(requireOrg(principal), inputs),
    );
  }

  @Scopes('messages:send')
  @Mutation(() => MessageModel, { description: 'Cancels a message the phone has not sent yet.' })
  async cancelMessage(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<MessageModel> {
    return toMessageModel(
      await this.messageService.cancel(requireOrg(principal), checkId(id), auditActorOf(principal)),
    );
  }

  @ResolveField(() => ConversationModel, { nullable: true })
  async conversation(@Parent() message: MessageModel): Promise<ConversationModel | null> {
    if (!message.conversationId) return null;
    return toConversationModel(
      await this.conversationService.get(message.orgId, message.conversationId),
    );
  }

  /** Federation: `Message` referenced by another subgraph, in the caller's organization only. */
  @ResolveReference()
  async resolveReference(
    reference: { id: string },
    context: GraphQLRequestContext,
  ): Promise<MessageModel | null> {
    const orgId = await this.caller.orgWithScope(context?.req, 'messages:read');
    if (!isUuid(reference.id)) return null;
    try {
      return toMessageModel(await this.messageService.get(orgId, reference.id.toLowerCase()));
    } catch (error) {
      if (
        error instanceof MessagingException &&
        error.code === MessagingErrorCode.MESSAGE_NOT_FOUND
      )
        return null;
      throw error;
    }
  }
}
