import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import {
  AccessReasonArg,
  CurrentPrincipal,
  PlatformAdminOperation,
  requireOrg,
  Scopes,
  type Principal,
} from '@switchboard/auth';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { auditActorOf } from '@switchboard/events';
import { isUuid } from '@switchboard/tenancy';
import {
  AuditChainVerificationModel,
  AuditLogConnection,
  AuditLogEntryModel,
  AuditLogExportModel,
  AuditLogFilterInput,
  toAuditChainVerificationModel,
  toAuditLogConnection,
} from './audit-log.model';
import { AuditExportsService } from './audit-exports.service';
import { AuditLogService } from './audit-log.service';

function checkOrgId(orgId: string): string {
  if (!isUuid(orgId)) throw new CommonException(CommonErrorCode.NOT_FOUND, 'No such organization');
  return orgId.toLowerCase();
}

/**
 * The audit log over GraphQL. The organization's owner (scope `admin`) reads and verifies its
 * own log; a platform admin reads any organization's (or the platform chain's, the nil UUID)
 * with a reason, and that access is itself audited.
 */
@Resolver(() => AuditLogEntryModel)
export class AuditLogResolver {
  constructor(
    private readonly entries: AuditLogService,
    private readonly exports: AuditExportsService,
  ) {}

  @Scopes('admin')
  @Query(() => AuditLogConnection, {
    description: "Your organization's audit log, newest first (owner).",
  })
  async auditLog(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => AuditLogFilterInput, nullable: true })
    filter?: AuditLogFilterInput | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AuditLogConnection> {
    return toAuditLogConnection(
      await this.entries.list(requireOrg(principal), filter, { first, after }),
    );
  }

  @Scopes('admin')
  @Query(() => AuditChainVerificationModel, {
    description: "Checks your organization's audit chain and names the first broken link (owner).",
  })
  async verifyAuditChain(
    @CurrentPrincipal() principal: Principal,
  ): Promise<AuditChainVerificationModel> {
    return toAuditChainVerificationModel(await this.entries.verify(requireOrg(principal)));
  }

  @Scopes('admin')
  @Mutation(() => AuditLogExportModel, {
    description:
      "Exports your organization's audit log (filtered) as JSON lines behind a signed link that expires (owner). Audited.",
  })
  async exportAuditLog(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => AuditLogFilterInput, nullable: true })
    filter?: AuditLogFilterInput | null,
  ): Promise<AuditLogExportModel> {
    return this.exports.request(requireOrg(principal), filter, auditActorOf(principal));
  }

  @PlatformAdminOperation('audit_log.read', { targetOrgArg: 'orgId' })
  @Query(() => AuditLogConnection, {
    description:
      "Platform admins: an organization's audit log (the nil UUID: platform entries). Needs a reason; audited.",
  })
  async adminAuditLog(
    @Args('orgId', { type: () => ID }) orgId: string,
    @AccessReasonArg() _reason?: string,
    @Args('filter', { type: () => AuditLogFilterInput, nullable: true })
    filter?: AuditLogFilterInput | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AuditLogConnection> {
    return toAuditLogConnection(
      await this.entries.list(checkOrgId(orgId), filter, { first, after }),
    );
  }

  @PlatformAdminOperation('audit_log.verify', { targetOrgArg: 'orgId' })
  @Query(() => AuditChainVerificationModel, {
    description: "Platform admins: checks an organization's audit chain. Needs a reason; audited.",
  })
  async adminVerifyAuditChain(
    @Args('orgId', { type: () => ID }) orgId: string,
    @AccessReasonArg() _reason?: string,
  ): Promise<AuditChainVerificationModel> {
    return toAuditChainVerificationModel(await this.entries.verify(checkOrgId(orgId)));
  }
}
