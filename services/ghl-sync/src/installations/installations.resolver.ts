import { Mutation, Query, Resolver } from '@nestjs/graphql';
import {
  CurrentPrincipal,
  principalId,
  requireOrg,
  Scopes,
  type Principal,
} from '@switchboard/auth';
import {
  GhlInstallationModel,
  GhlInstallLinkModel,
  toGhlInstallations,
} from './installation.model';
import { InstallationsService } from './installations.service';
import { InstallService } from './install.service';

/** The organization's GHL installations. Reading needs `messages:read`. Thin. */
@Resolver(() => GhlInstallationModel)
export class InstallationsResolver {
  constructor(
    private readonly installations: InstallationsService,
    private readonly installs: InstallService,
  ) {}

  @Scopes('messages:read')
  @Query(() => [GhlInstallationModel], {
    description:
      "The organization's GHL installations: agencies (with their locations) and locations installed on their own.",
  })
  async ghlInstallations(
    @CurrentPrincipal() principal: Principal,
  ): Promise<GhlInstallationModel[]> {
    return toGhlInstallations(await this.installations.list(requireOrg(principal)));
  }

  @Scopes('admin')
  @Mutation(() => GhlInstallLinkModel, {
    description:
      'Starts installing the Switchboard app on GHL (owner): open the link, choose the locations; the install is linked to this organization.',
  })
  ghlInstallLink(@CurrentPrincipal() principal: Principal): GhlInstallLinkModel {
    return this.installs.authorizeUrl(requireOrg(principal), principalId(principal));
  }
}
