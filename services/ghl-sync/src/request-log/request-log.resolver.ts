import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import {
  GhlConnectionTestModel,
  GhlRequestConnection,
  toGhlRequestConnection,
} from './request-log.model';
import { RequestLogService } from './request-log.service';

/** GHL traffic of the organization: the request log (`messages:read`) and a test (`admin`). */
@Resolver()
export class RequestLogResolver {
  constructor(private readonly log: RequestLogService) {}

  @Scopes('messages:read')
  @Query(() => GhlRequestConnection, {
    description:
      'Requests made to GHL for this organization, newest first (kept under the request-log retention).',
  })
  async ghlRequestLog(
    @CurrentPrincipal() principal: Principal,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
    @Args('locationId', { nullable: true }) locationId?: string,
  ): Promise<GhlRequestConnection> {
    return toGhlRequestConnection(
      await this.log.page(requireOrg(principal), { first, after }, locationId),
    );
  }

  @Scopes('admin')
  @Mutation(() => GhlConnectionTestModel, {
    description:
      "Checks the location's GHL connection with a harmless read (logged like any request).",
  })
  testGhlConnection(
    @CurrentPrincipal() principal: Principal,
    @Args('locationId', { type: () => ID }) locationId: string,
  ): Promise<GhlConnectionTestModel> {
    return this.log.testConnection(requireOrg(principal), locationId);
  }
}
