import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiTokenModel, CreatedApiTokenModel, toApiTokenModel } from './api-token.model';
import { CurrentPrincipal, type Principal } from '@switchboard/auth';
import { Allow } from '../common/permission.guard';
import { ApiTokensService } from './api-tokens.service';

@Resolver()
export class ApiTokensResolver {
  constructor(private readonly tokens: ApiTokensService) {}

  @Allow('apiTokens.manage')
  @Mutation(() => CreatedApiTokenModel, {
    description:
      'Creates an API token. Scopes: messages:send, messages:read, devices:read, devices:manage, contacts:write, billing:read, admin. The secret is returned only here.',
  })
  async createApiToken(
    @CurrentPrincipal() principal: Principal,
    @Args('name') name: string,
    @Args('scopes', { type: () => [String] }) scopes: string[],
    @Args('expiresAt', { type: () => Date, nullable: true }) expiresAt?: Date,
  ): Promise<CreatedApiTokenModel> {
    const { token, apiToken } = await this.tokens.create(principal, { name, scopes, expiresAt });
    return { token, apiToken: toApiTokenModel(apiToken) };
  }

  @Allow('apiTokens.manage')
  @Mutation(() => ApiTokenModel, { description: 'Revokes an API token; exchanges fail at once.' })
  async revokeApiToken(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ApiTokenModel> {
    return toApiTokenModel(await this.tokens.revoke(principal, id));
  }

  @Allow('apiTokens.manage')
  @Query(() => [ApiTokenModel], {
    description: 'API tokens of the organization (never their secrets).',
  })
  async apiTokens(@CurrentPrincipal() principal: Principal): Promise<ApiTokenModel[]> {
    return (await this.tokens.list(principal)).map(toApiTokenModel);
  }
}
