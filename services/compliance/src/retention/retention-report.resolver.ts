import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import {
  AccessReasonArg,
  CurrentPrincipal,
  PlatformAdminOperation,
  requireOrg,
  Scopes,
  type Principal,
} from '@switchboard/auth';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { isUuid } from '@switchboard/tenancy';
import {
  RetentionRun,
  RetentionRunConnection,
  toRetentionRunConnection,
} from './retention-report.model';
import { RetentionReportsService } from './retention-reports.service';

/**
 * What the retention jobs did. The owner (scope `admin`) reads the organization's runs; a
 * platform admin reads any organization's (the nil UUID: the platform-level event tables)
 * with a reason, audited.
 */
@Resolver(() => RetentionRun)
export class RetentionReportResolver {
  constructor(private readonly reports: RetentionReportsService) {}

  @Scopes('admin')
  @Query(() => RetentionRunConnection, {
    description:
      "What every service's retention jobs did to your organization's data, newest first (owner).",
  })
  async retentionReport(
    @CurrentPrincipal() principal: Principal,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<RetentionRunConnection> {
    return toRetentionRunConnection(
      await this.reports.list(requireOrg(principal), { first, after }),
    );
  }

  @PlatformAdminOperation('retention_report.read', { targetOrgArg: 'orgId' })
  @Query(() => RetentionRunConnection, {
    description:
      "Platform admins: an organization's retention runs (the nil UUID: platform-level jobs). Needs a reason; audited.",
  })
  async adminRetentionReport(
    @Args('orgId', { type: () => ID }) orgId: string,
    @AccessReasonArg() _reason?: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<RetentionRunConnection> {
    if (!isUuid(orgId))
      throw new CommonException(CommonErrorCode.NOT_FOUND, 'No such organization');
    return toRetentionRunConnection(await this.reports.list(orgId.toLowerCase(), { first, after }));
  }
}
