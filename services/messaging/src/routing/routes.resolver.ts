import {
  Args,
  Context,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import DataLoader from 'dataloader';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { auditActorOf } from '@switchboard/events';
import { isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { MessageModel } from '../messages/message.model';
import {
  CreateRouteInput,
  MessageRouteAttemptModel,
  RouteModel,
  toMessageRouteAttemptModels,
  toRouteModel,
  UpdateRouteInput,
  withImplicitPoolAttempt,
} from './route.model';
import type { RouteAttemptRecord } from './route.record';
import { RoutesService } from './routes.service';
import { RoutingService } from './routing.service';

function routeId(id: string): string {
  if (!isUuid(id))
    throw new MessagingException(MessagingErrorCode.ROUTE_NOT_FOUND, 'No such route');
  return id.toLowerCase();
}

/** Routes: organization settings, so the organization's `admin` scope (owners and admins). */
@Resolver(() => RouteModel)
export class RoutesResolver {
  constructor(private readonly routeService: RoutesService) {}

  @Scopes('admin')
  @Query(() => [RouteModel], { description: "The organization's routes, in priority order." })
  async routes(@CurrentPrincipal() principal: Principal): Promise<RouteModel[]> {
    return (await this.routeService.list(requireOrg(principal))).map(toRouteModel);
  }

  @Scopes('admin')
  @Mutation(() => RouteModel, {
    description:
      'Adds a route. Without any route, messages go through the device pool as they always did.',
  })
  async createRoute(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => CreateRouteInput }) input: CreateRouteInput,
  ): Promise<RouteModel> {
    return toRouteModel(
      await this.routeService.create(requireOrg(principal), auditActorOf(principal), input),
    );
  }

  @Scopes('admin')
  @Mutation(() => RouteModel)
  async updateRoute(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateRouteInput }) input: UpdateRouteInput,
  ): Promise<RouteModel> {
    return toRouteModel(
      await this.routeService.update(
        requireOrg(principal),
        auditActorOf(principal),
        routeId(id),
        input,
      ),
    );
  }

  @Scopes('admin')
  @Mutation(() => Boolean, { description: 'Removes the route (messages keep their attempts).' })
  async deleteRoute(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    return this.routeService.delete(requireOrg(principal), auditActorOf(principal), routeId(id));
  }
}

/**
 * `Message.attempts`: the routes a message took (read with the message, same scopes). One query
 * for all the messages of a request: a DataLoader kept per GraphQL context and organization
 * (a page of 100 messages asking for attempts makes one read, not 100).
 */
@Resolver(() => MessageModel)
export class MessageAttemptsResolver {
  private readonly loaders = new WeakMap<
    object,
    Map<string, DataLoader<string, RouteAttemptRecord[]>>
  >();

  constructor(private readonly routing: RoutingService) {}

  @ResolveField(() => [MessageRouteAttemptModel], {
    description: 'The routes the message took, in order, with why each one was left.',
  })
  async attempts(
    @Parent() message: MessageModel,
    @Context() context: object,
  ): Promise<MessageRouteAttemptModel[]> {
    return toMessageRouteAttemptModels(
      withImplicitPoolAttempt(
        await this.loaderFor(context, message.orgId).load(message.id),
        message,
      ),
      message.status,
    );
  }

  private loaderFor(context: object, orgId: string): DataLoader<string, RouteAttemptRecord[]> {
    let byOrg = this.loaders.get(context);
    if (!byOrg) this.loaders.set(context, (byOrg = new Map()));
    let loader = byOrg.get(orgId);
    if (!loader) {
      loader = new DataLoader(async (ids) => {
        const found = await this.routing.attemptsOfMessages(orgId, ids);
        return ids.map((id) => found.get(id) ?? []);
      });
      byOrg.set(orgId, loader);
    }
    return loader;
  }
}
