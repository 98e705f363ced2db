import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { toUsageModel, UsageModel } from './usage.model';
import { UsageService } from './usage.service';

/** Usage per period, route and country (`messages:read`). */
@Resolver(() => UsageModel)
export class UsageResolver {
  constructor(private readonly usageService: UsageService) {}

  @Scopes('messages:read')
  @Query(() => UsageModel, { description: 'Usage of a period (YYYY-MM; default: this one).' })
  async usage(
    @CurrentPrincipal() principal: Principal,
    @Args('period', { type: () => String, nullable: true }) period?: string | null,
  ): Promise<UsageModel> {
    const found = await this.usageService.summary(requireOrg(principal), period);
    return toUsageModel(found.period, found.currency, found.lines);
  }
}
