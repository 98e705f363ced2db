import { Resolver, ResolveReference } from '@nestjs/graphql';
import { FederationCaller, type GraphQLRequestContext } from '@switchboard/auth';
import { CampaignPreviewCostModel, toSendCostEstimateModel } from './campaign-preview-cost.model';
import { SendCostService } from './send-cost.service';

interface PreviewReference {
  campaignId: string;
  estimatedSegments?: number | null;
  estimatedMms?: number | null;
  destinationCountry?: string | null;
}

/** Federation: prices messaging's campaign preview for the caller's organization. */
@Resolver(() => CampaignPreviewCostModel)
export class CampaignPreviewCostResolver {
  constructor(
    private readonly caller: FederationCaller,
    private readonly service: SendCostService,
  ) {}

  @ResolveReference()
  async resolveReference(
    reference: PreviewReference,
    context: GraphQLRequestContext,
  ): Promise<CampaignPreviewCostModel> {
    const orgId = await this.caller.orgWithScope(context?.req, 'messages:read');
    const estimate = await this.service.estimate(orgId, {
      smsSegments: Math.max(0, Number(reference.estimatedSegments ?? 0)),
      mms: Math.max(0, Number(reference.estimatedMms ?? 0)),
      country: reference.destinationCountry ?? null,
    });
    return {
      campaignId: reference.campaignId,
      estimatedSegments: Number(reference.estimatedSegments ?? 0),
      estimatedMms: Number(reference.estimatedMms ?? 0),
      destinationCountry: reference.destinationCountry ?? null,
      estimatedCost: toSendCostEstimateModel(estimate),
    };
  }
}
