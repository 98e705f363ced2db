import { Args, GraphQLISODateTime, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { auditActorOf } from '@switchboard/events';
import { isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import {
  CreateWebhookEndpointInput,
  eventTypeOfEnum,
  toWebhookDeliveryAttemptModel,
  toWebhookDeliveryConnection,
  toWebhookDeliveryModel,
  toWebhookEndpointModel,
  toWebhookEndpointWithSecret,
  toWebhookTestResult,
  UpdateWebhookEndpointInput,
  WebhookDeliveriesFilter,
  WebhookDeliveryAttemptModel,
  WebhookDeliveryConnection,
  WebhookDeliveryModel,
  WebhookEndpointModel,
  WebhookEndpointWithSecret,
  WebhookTestResult,
} from './webhook.model';
import { WebhooksService } from './webhooks.service';

function checkId(id: string, code: MessagingErrorCode): string {
  if (!isUuid(id)) throw new MessagingException(code, 'Not found');
  return id.toLowerCase();
}
const endpointId = (id: string) => checkId(id, MessagingErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND);
const deliveryId = (id: string) => checkId(id, MessagingErrorCode.WEBHOOK_DELIVERY_NOT_FOUND);

/** Customer webhooks: organization settings, so the organization's `admin` scope. */
@Resolver(() => WebhookEndpointModel)
export class WebhooksResolver {
  constructor(private readonly webhooks: WebhooksService) {}

  @Scopes('admin')
  @Query(() => [WebhookEndpointModel], {
    description: "The organization's webhook endpoints (never their secrets).",
  })
  async webhookEndpoints(
    @CurrentPrincipal() principal: Principal,
  ): Promise<WebhookEndpointModel[]> {
    return (await this.webhooks.list(requireOrg(principal))).map(toWebhookEndpointModel);
  }

  @Scopes('admin')
  @Mutation(() => WebhookEndpointWithSecret, {
    description: 'Registers an endpoint; its secret is shown only here.',
  })
  async createWebhookEndpoint(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => CreateWebhookEndpointInput }) input: CreateWebhookEndpointInput,
  ): Promise<WebhookEndpointWithSecret> {
    return toWebhookEndpointWithSecret(
      await this.webhooks.create(requireOrg(principal), auditActorOf(principal), {
        ...input,
        eventTypes: input.eventTypes.map(eventTypeOfEnum),
      }),
    );
  }

  @Scopes('admin')
  @Mutation(() => WebhookEndpointModel)
  async updateWebhookEndpoint(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateWebhookEndpointInput }) input: UpdateWebhookEndpointInput,
  ): Promise<WebhookEndpointModel> {
    return toWebhookEndpointModel(
      await this.webhooks.update(requireOrg(principal), auditActorOf(principal), endpointId(id), {
        ...input,
        eventTypes: input.eventTypes?.map(eventTypeOfEnum),
      }),
    );
  }

  @Scopes('admin')
  @Mutation(() => Boolean, { description: 'Removes the endpoint and its deliveries.' })
  async deleteWebhookEndpoint(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    return this.webhooks.delete(requireOrg(principal), auditActorOf(principal), endpointId(id));
  }

  @Scopes('admin')
  @Mutation(() => WebhookEndpointWithSecret, {
    description:
      'A new secret (shown only here); the previous one also signs for overlapHours (default 24).',
  })
  async rotateWebhookSecret(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('overlapHours', { type: () => Int, nullable: true }) overlapHours?: number | null,
  ): Promise<WebhookEndpointWithSecret> {
    return toWebhookEndpointWithSecret(
      await this.webhooks.rotateSecret(
        requireOrg(principal),
        auditActorOf(principal),
        endpointId(id),
        overlapHours ?? 24,
      ),
    );
  }

  @Scopes('admin')
  @Mutation(() => WebhookTestResult, {
    description: 'Sends a signed webhook.ping now and returns the answer.',
  })
  async testWebhookEndpoint(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<WebhookTestResult> {
    return toWebhookTestResult(await this.webhooks.test(requireOrg(principal), endpointId(id)));
  }

  @Scopes('admin')
  @Query(() => WebhookDeliveryConnection)
  async webhookDeliveries(
    @CurrentPrincipal() principal: Principal,
    @Args('endpointId', { type: () => ID }) id: string,
    @Args('filter', { type: () => WebhookDeliveriesFilter, nullable: true })
    filter?: WebhookDeliveriesFilter | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<WebhookDeliveryConnection> {
    const page = await this.webhooks.deliveries(
      requireOrg(principal),
      endpointId(id),
      {
        status: filter?.status ?? undefined,
        createdAfter: filter?.createdAfter ?? undefined,
        createdBefore: filter?.createdBefore ?? undefined,
      },
      { first, after },
    );
    return toWebhookDeliveryConnection(page);
  }

  @Scopes('admin')
  @Query(() => [WebhookDeliveryAttemptModel], {
    description: "A delivery's log: every request and its answer.",
  })
  async webhookDeliveryAttempts(
    @CurrentPrincipal() principal: Principal,
    @Args('deliveryId', { type: () => ID }) id: string,
  ): Promise<WebhookDeliveryAttemptModel[]> {
    return (await this.webhooks.attempts(requireOrg(principal), deliveryId(id))).map(
      toWebhookDeliveryAttemptModel,
    );
  }

  @Scopes('admin')
  @Mutation(() => WebhookDeliveryModel, {
    description: 'Sends one delivery again (same webhook-id).',
  })
  async replayWebhookDelivery(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<WebhookDeliveryModel> {
    return toWebhookDeliveryModel(
      await this.webhooks.replay(requireOrg(principal), deliveryId(id)),
    );
  }

  @Scopes('admin')
  @Mutation(() => Int, {
    description: 'Sends again every delivery of the endpoint created in [from, to); how many.',
  })
  async replayWebhookDeliveries(
    @CurrentPrincipal() principal: Principal,
    @Args('endpointId', { type: () => ID }) id: string,
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
  ): Promise<number> {
    return this.webhooks.replayRange(requireOrg(principal), endpointId(id), from, to);
  }
}
