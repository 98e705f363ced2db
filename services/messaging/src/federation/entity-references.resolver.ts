import {
  Args,
  Context,
  Int,
  Parent,
  ResolveField,
  ResolveReference,
  Resolver,
} from '@nestjs/graphql';
import { FederationCaller, type GraphQLRequestContext } from '@switchboard/auth';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import {
  MessageConnection,
  MessagesFilter,
  toMessageConnection,
  toMessageFilter,
} from '../messages/message.model';
import { MessagesService } from '../messages/messages.service';
import { DeviceReference, OrganizationReference } from './entity-references.model';

const filterArgs = {
  filter: { type: () => MessagesFilter, nullable: true },
  first: { type: () => Int, nullable: true },
  after: { type: () => String, nullable: true },
} as const;

@Resolver(() => DeviceReference)
export class DeviceReferenceResolver {
  constructor(
    private readonly messageService: MessagesService,
    private readonly caller: FederationCaller,
  ) {}

  @ResolveReference()
  resolveReference(reference: { id: string }): DeviceReference {
    return { id: reference.id };
  }

  /** The device's messages in the caller's organization (another's device has none here). */
  @ResolveField(() => MessageConnection)
  async messages(
    @Parent() device: DeviceReference,
    @Context() context: GraphQLRequestContext,
    @Args('filter', filterArgs.filter) filter?: MessagesFilter | null,
    @Args('first', filterArgs.first) first?: number | null,
    @Args('after', filterArgs.after) after?: string | null,
  ): Promise<MessageConnection> {
    const orgId = await this.caller.orgWithScope(context.req, 'messages:read');
    const page = await this.messageService.list(
      orgId,
      { ...toMessageFilter(filter), deviceId: device.id },
      { first, after },
    );
    return toMessageConnection(page);
  }
}

@Resolver(() => OrganizationReference)
export class OrganizationReferenceResolver {
  constructor(
    private readonly messageService: MessagesService,
    private readonly caller: FederationCaller,
  ) {}

  @ResolveReference()
  resolveReference(reference: { id: string }): OrganizationReference {
    return { id: reference.id };
  }

  /** The organization's messages: only the caller's own organization. */
  @ResolveField(() => MessageConnection)
  async messages(
    @Parent() organization: OrganizationReference,
    @Context() context: GraphQLRequestContext,
    @Args('filter', filterArgs.filter) filter?: MessagesFilter | null,
    @Args('first', filterArgs.first) first?: number | null,
    @Args('after', filterArgs.after) after?: string | null,
  ): Promise<MessageConnection> {
    const orgId = await this.caller.orgWithScope(context.req, 'messages:read');
    if (organization.id.toLowerCase() !== orgId) {
      throw new CommonException(
        CommonErrorCode.FORBIDDEN,
        "Another organization's messages are not readable",
      );
    }
    return toMessageConnection(
      await this.messageService.list(orgId, toMessageFilter(filter), { first, after }),
    );
  }
}
