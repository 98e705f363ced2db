import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuthPayloadModel, toAuthPayload } from '../identity/auth-payload.model';
import { AcceptInvitationInput } from './accept-invitation.input';
import { InvitationModel, toInvitationModel } from './invitation.model';
import { MemberModel, MemberRoleEnum, toMemberModel } from '../organizations/member.model';
import { CurrentPrincipal, Public, type Principal } from '@switchboard/auth';
import { Allow } from '../common/permission.guard';
import { clientIp, type RequestLike } from '../common/request-meta';
import { InvitationsService } from './invitations.service';
import { MembersService } from './members.service';

@Resolver()
export class MembersResolver {
  constructor(
    private readonly members: MembersService,
    private readonly invitationsService: InvitationsService,
  ) {}

  @Allow('members.manage')
  @Mutation(() => InvitationModel, {
    description: 'Mails an invitation link (expires in 7 days, single use).',
  })
  async inviteMember(
    @CurrentPrincipal() principal: Principal,
    @Args('email') email: string,
    @Args('role', { type: () => MemberRoleEnum }) role: MemberRoleEnum,
    @Context('req') req: RequestLike,
  ): Promise<InvitationModel> {
    return toInvitationModel(
      await this.invitationsService.invite(principal, email, role, { ip: clientIp(req) }),
    );
  }

  @Allow('members.manage')
  @Query(() => [InvitationModel], { description: 'Pending invitations of the organization.' })
  async invitations(@CurrentPrincipal() principal: Principal): Promise<InvitationModel[]> {
    return (await this.invitationsService.pendingInvitations(principal)).map(toInvitationModel);
  }

  @Allow('members.manage')
  @Mutation(() => Boolean)
  revokeInvitation(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    return this.invitationsService.revokeInvitation(principal, id);
  }

  @Public()
  @Mutation(() => AuthPayloadModel, {
    description:
      'Joins the organization with the mailed token (creating the account if needed) and signs in there.',
  })
  async acceptInvitation(
    @Args('input') input: AcceptInvitationInput,
    @Context('req') req: RequestLike,
  ): Promise<AuthPayloadModel> {
    return toAuthPayload(await this.invitationsService.accept(input, { ip: clientIp(req) }));
  }

  @Allow('members.manage')
  @Mutation(() => MemberModel, { description: 'The last owner cannot be demoted (LAST_OWNER).' })
  async updateMemberRole(
    @CurrentPrincipal() principal: Principal,
    @Args('userId', { type: () => ID }) userId: string,
    @Args('role', { type: () => MemberRoleEnum }) role: MemberRoleEnum,
  ): Promise<MemberModel> {
    return toMemberModel(await this.members.updateRole(principal, userId, role));
  }

  @Allow('members.leave')
  @Mutation(() => Boolean, {
    description:
      'Owners remove members; anyone removes themselves (leaves). Not the last owner (LAST_OWNER).',
  })
  removeMember(
    @CurrentPrincipal() principal: Principal,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<boolean> {
    return this.members.remove(principal, userId);
  }
}
