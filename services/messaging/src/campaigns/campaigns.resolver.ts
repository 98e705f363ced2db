import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { Clock } from '@switchboard/service-kit';
import { isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import type { CampaignAction } from '../domain/campaign';
import {
  CampaignConnection,
  CampaignModel,
  CampaignPreviewModel,
  CreateCampaignInput,
  toCampaignConnection,
  toCampaignModel,
  toCampaignPreviewModel,
} from './campaign.model';
import { CampaignsService } from './campaigns.service';

function campaignId(id: string): string {
  if (!isUuid(id)) {
    throw new MessagingException(MessagingErrorCode.CAMPAIGN_NOT_FOUND, 'No such campaign');
  }
  return id.toLowerCase();
}

/** Campaigns: reading needs `messages:read`; creating and running them `messages:send`. */
@Resolver(() => CampaignModel)
export class CampaignsResolver {
  constructor(
    private readonly service: CampaignsService,
    private readonly clock: Clock,
  ) {}

  @Scopes('messages:read')
  @Query(() => CampaignModel)
  async campaign(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CampaignModel> {
    return toCampaignModel(
      await this.service.get(requireOrg(principal), campaignId(id)),
      this.clock.now(),
    );
  }

  @Scopes('messages:read')
  @Query(() => CampaignConnection, { description: 'Newest first.' })
  async campaigns(
    @CurrentPrincipal() principal: Principal,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<CampaignConnection> {
    return toCampaignConnection(
      await this.service.list(requireOrg(principal), { first, after }),
      this.clock.now(),
    );
  }

  @Scopes('messages:read')
  @Query(() => CampaignPreviewModel, {
    description: 'Rendered samples with segments and encoding, recipients, duration at the rate.',
  })
  async previewCampaign(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('samples', { type: () => Int, nullable: true }) samples?: number | null,
  ): Promise<CampaignPreviewModel> {
    return toCampaignPreviewModel(
      await this.service.preview(requireOrg(principal), campaignId(id), samples ?? 3),
    );
  }

  @Scopes('messages:send')
  @Mutation(() => CampaignModel, { description: 'A DRAFT campaign.' })
  async createCampaign(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => CreateCampaignInput }) input: CreateCampaignInput,
  ): Promise<CampaignModel> {
    if (!isUuid(input.listId)) {
      throw new MessagingException(MessagingErrorCode.CONTACT_LIST_NOT_FOUND, 'No such list');
    }
    return toCampaignModel(
      await this.service.create(requireOrg(principal), {
        ...input,
        listId: input.listId.toLowerCase(),
      }),
      this.clock.now(),
    );
  }

  @Scopes('messages:send')
  @Mutation(() => CampaignModel)
  startCampaign(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.act(principal, id, 'start');
  }

  @Scopes('messages:send')
  @Mutation(() => CampaignModel)
  pauseCampaign(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.act(principal, id, 'pause');
  }

  @Scopes('messages:send')
  @Mutation(() => CampaignModel)
  resumeCampaign(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.act(principal, id, 'resume');
  }

  @Scopes('messages:send')
  @Mutation(() => CampaignModel, { description: 'Stops the fan-out for good.' })
  cancelCampaign(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.act(principal, id, 'cancel');
  }

  private async act(
    principal: Principal,
    id: string,
    action: CampaignAction,
  ): Promise<CampaignModel> {
    return toCampaignModel(
      await this.service.act(requireOrg(principal), campaignId(id), action),
      this.clock.now(),
    );
  }
}
