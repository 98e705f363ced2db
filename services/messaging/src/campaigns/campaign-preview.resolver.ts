import { ResolveReference, Resolver } from '@nestjs/graphql';
import { FederationCaller, type GraphQLRequestContext } from '@switchboard/auth';
import { isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { CampaignPreviewModel, toCampaignPreviewModel } from './campaign.model';
import { CampaignsService } from './campaigns.service';

/**
 * Federation: `CampaignPreview` by its campaign id, in the caller's organization only (the
 * entity exists so billing can add the estimated cost; the gateway normally gets the preview
 * from `previewCampaign` and asks billing with it).
 */
@Resolver(() => CampaignPreviewModel)
export class CampaignPreviewResolver {
  constructor(
    private readonly service: CampaignsService,
    private readonly caller: FederationCaller,
  ) {}

  @ResolveReference()
  async resolveReference(
    reference: { campaignId: string },
    context: GraphQLRequestContext,
  ): Promise<CampaignPreviewModel | null> {
    const orgId = await this.caller.orgWithScope(context?.req, 'messages:read');
    if (!isUuid(reference.campaignId)) return null;
    try {
      return toCampaignPreviewModel(
        await this.service.preview(orgId, reference.campaignId.toLowerCase(), 3),
      );
    } catch (error) {
      if (
        error instanceof MessagingException &&
        (error.code === MessagingErrorCode.CAMPAIGN_NOT_FOUND ||
          error.code === MessagingErrorCode.CONTACT_LIST_NOT_FOUND)
      )
        return null;
      throw error;
    }
  }
}
