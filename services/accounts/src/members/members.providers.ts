import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { MembersResolver } from './members.resolver';
import { MembersService } from './members.service';

/** Members: roles and removal; invitations. */
export const membersProviders = [
  InvitationsRepository,
  MembersService,
  InvitationsService,
  MembersResolver,
];
