import {
  MemberModel,
  MemberRoleEnum,
  OrganizationMembershipModel,
  toMemberModel,
} from './member.model';
import {
  OrganizationModel,
  OrganizationStatusEnum,
  toOrganizationModel,
} from './organization.model';
import { UpdateOrganizationInput } from './update-organization.input';
import {
  Args,
  Context,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  ResolveReference,
} from '@nestjs/graphql';
import {
  AccessReasonArg,
  CurrentPrincipal,
  FederationCaller,
  PlatformAdminOperation,
  type Principal,
} from '@switchboard/auth';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { Allow } from '../common/permission.guard';
import type { RequestLike } from '../common/request-meta';
import { callerOf, can } from '../domain/role-rules';
import { OrganizationsService } from './organizations.service';

/** Organizations: the caller's own, its members, closing it, and the platform admins' views. */
@Resolver(() => OrganizationModel)
export class OrganizationsResolver {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly callers: FederationCaller,
  ) {}

  @Allow('organization.read')
  @Query(() => OrganizationModel, {
    description: "The caller's organization. Another organization's id answers NOT_FOUND.",
  })
  async organization(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID, nullable: true }) id?: string,
  ): Promise<OrganizationModel> {
    return toOrganizationModel(await this.organizations.organization(principal, id));
  }

  @Allow('organizations.mine')
  @Query(() => [OrganizationMembershipModel], {
    description: 'Every organization you belong to, with your role.',
  })
  async myOrganizations(
    @CurrentPrincipal() principal: Principal,
  ): Promise<OrganizationMembershipModel[]> {
    if (principal.kind !== 'user') return [];
    return (await this.organizations.mine(principal.userId)).map(
      ({ organization, membership }) => ({
        organization: toOrganizationModel(organization),
        role: MemberRoleEnum[membership.role],
      }),
    );
  }

  @Allow('organization.update')
  @Mutation(() => OrganizationModel, {
    description: 'Renames the organization or changes its time zone or country.',
  })
  async updateOrganization(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: UpdateOrganizationInput,
  ): Promise<OrganizationModel> {
    return toOrganizationModel(await this.organizations.update(principal, input));
  }

  @Allow('organization.close')
  @Mutation(() => OrganizationModel, {
    description:
      'Closes the organization: PENDING_DELETION, purged at purgeAt (30 days) unless cancelled.',
  })
  async closeOrganization(@CurrentPrincipal() principal: Principal): Promise<OrganizationModel> {
    return toOrganizationModel(await this.organizations.close(principal));
  }

  @Allow('organization.close')
  @Mutation(() => OrganizationModel, {
    description: 'Reopens a closed organization before its purge.',
  })
  async cancelOrganizationClosure(
    @CurrentPrincipal() principal: Principal,
  ): Promise<OrganizationModel> {
    return toOrganizationModel(await this.organizations.cancelClosure(principal));
  }

  @PlatformAdminOperation('organization.list', { resourceType: 'organization' })
  @Query(() => [OrganizationModel], {
    description: 'Platform admins: every organization. Needs a reason; audited.',
  })
  async adminOrganizations(
    @AccessReasonArg() _reason?: string,
    @Args('status', { type: () => OrganizationStatusEnum, nullable: true })
    status?: OrganizationStatusEnum,
    @Args('search', { type: () => String, nullable: true }) search?: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('offset', { type: () => Int, nullable: true }) offset?: number,
  ): Promise<OrganizationModel[]> {
    return (await this.organizations.adminList({ status, search, first, offset })).map(
      toOrganizationModel,
    );
  }

  @PlatformAdminOperation('organization.read')
  @Query(() => OrganizationModel, {
    description: 'Platform admins: one organization. Needs a reason; audited.',
  })
  async adminOrganization(
    @Args('id', { type: () => ID }) id: string,
    @AccessReasonArg() _reason?: string,
  ): Promise<OrganizationModel> {
    return toOrganizationModel(await this.organizations.adminGet(id));
  }

  /** Members of the organization: readable by its own users (RLS-scoped to the token's tenant). */
  @ResolveField('members', () => [MemberModel])
  async members(
    @Parent() org: OrganizationModel,
    @Context('req') req: RequestLike,
  ): Promise<MemberModel[]> {
    const caller = await this.callers.principal(req);
    if (!caller)
      throw new CommonException(CommonErrorCode.UNAUTHENTICATED, 'Authentication required');
    const allowed = caller.kind === 'user' && can(callerOf(caller), 'members.read');
    if (!allowed)
      throw new CommonException(
        CommonErrorCode.FORBIDDEN,
        'Your role does not allow this operation',
      );
    return (await this.organizations.members(caller, org.id)).map(toMemberModel);
  }

  /** Other subgraphs' Organization references: the caller's own organization, else null. */
  @ResolveReference()
  async resolveReference(
    reference: { __typename: string; id: string },
    context: { req?: RequestLike },
  ): Promise<OrganizationModel | null> {
    const org = await this.organizations.reference(
      await this.callers.principal(context.req),
      reference.id,
    );
    return org ? toOrganizationModel(org) : null;
  }
}
