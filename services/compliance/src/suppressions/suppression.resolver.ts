import { Args, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, hasScope, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { actorOf } from '../common/actor';
import {
  RecordConsentInput,
  Suppression,
  SuppressionConnection,
  SuppressionFilter,
  SuppressionHistoryEntry,
  toHistoryEntry,
  toSuppression,
  toSuppressionConnection,
} from './suppression.model';
import { SuppressionService } from './suppression.service';

/**
 * Opt-outs and consent over GraphQL. Reading needs `messages:read`; recording needs
 * `contacts:write` (members and owners). Lifting a subscriber's keyword opt-out (STOP) is the
 * owner's (`admin`) alone, with a reason — see SuppressionService.optIn. Thin: one service
 * call per field.
 */
@Resolver(() => Suppression)
export class SuppressionResolver {
  constructor(private readonly suppressions: SuppressionService) {}

  @Scopes('messages:read')
  @Query(() => Suppression, {
    description: 'The opt-out, consent and DND state of one number, with its history.',
  })
  async suppression(
    @CurrentPrincipal() principal: Principal,
    @Args('phoneNumber') phoneNumber: string,
  ): Promise<Suppression> {
    return toSuppression(await this.suppressions.get(requireOrg(principal), phoneNumber));
  }

  @Scopes('messages:read')
  @Query(() => SuppressionConnection, { description: 'Opted-out numbers, newest first.' })
  async optOuts(
    @CurrentPrincipal() principal: Principal,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('filter', { type: () => SuppressionFilter, nullable: true })
    filter?: SuppressionFilter | null,
  ): Promise<SuppressionConnection> {
    return toSuppressionConnection(
      await this.suppressions.list(
        requireOrg(principal),
        { list: 'optedOut', ...clean(filter) },
        { first, after },
      ),
    );
  }

  @Scopes('messages:read')
  @Query(() => SuppressionConnection, { description: 'Numbers with consent, newest first.' })
  async consents(
    @CurrentPrincipal() principal: Principal,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
    @Args('filter', { type: () => SuppressionFilter, nullable: true })
    filter?: SuppressionFilter | null,
  ): Promise<SuppressionConnection> {
    return toSuppressionConnection(
      await this.suppressions.list(
        requireOrg(principal),
        { list: 'consent', ...clean(filter) },
        { first, after },
      ),
    );
  }

  @Scopes('contacts:write')
  @Mutation(() => Suppression, {
    description: 'Opts a number out (source API). Every route and campaign then skips it.',
  })
  async optOut(
    @CurrentPrincipal() principal: Principal,
    @Args('phoneNumber') phoneNumber: string,
    @Args('reason') reason: string,
  ): Promise<Suppression> {
    return toSuppression(
      await this.suppressions.optOut(
        requireOrg(principal),
        phoneNumber,
        reason,
        actorOf(principal),
      ),
    );
  }

  @Scopes('contacts:write')
  @Mutation(() => Suppression, {
    description:
      "Lifts an opt-out. A subscriber's keyword opt-out (STOP) is lifted only by the subscriber (START) or by the owner with a reason (recorded as ADMIN and audited); otherwise KEYWORD_OPT_OUT.",
  })
  async optIn(
    @CurrentPrincipal() principal: Principal,
    @Args('phoneNumber') phoneNumber: string,
    @Args('reason', { type: () => String, nullable: true }) reason?: string | null,
  ): Promise<Suppression> {
    return toSuppression(
      await this.suppressions.optIn(
        requireOrg(principal),
        phoneNumber,
        reason,
        actorOf(principal),
        hasScope(principal, 'admin'),
      ),
    );
  }

  @Scopes('contacts:write')
  @Mutation(() => Suppression, {
    description:
      'Records consent to campaign messages, with its evidence. Does not lift an opt-out.',
  })
  async recordConsent(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => RecordConsentInput }) input: RecordConsentInput,
  ): Promise<Suppression> {
    return toSuppression(
      await this.suppressions.recordConsent(requireOrg(principal), input, actorOf(principal)),
    );
  }

  @Scopes('contacts:write')
  @Mutation(() => Suppression, { description: 'Withdraws consent to campaign messages.' })
  async withdrawConsent(
    @CurrentPrincipal() principal: Principal,
    @Args('phoneNumber') phoneNumber: string,
    @Args('reason', { type: () => String, nullable: true }) reason?: string | null,
  ): Promise<Suppression> {
    return toSuppression(
      await this.suppressions.withdrawConsent(
        requireOrg(principal),
        phoneNumber,
        reason,
        actorOf(principal),
      ),
    );
  }

  @ResolveField(() => [SuppressionHistoryEntry], { description: 'Newest first (the last 50).' })
  async history(
    @CurrentPrincipal() principal: Principal,
    @Parent() parent: Suppression,
  ): Promise<SuppressionHistoryEntry[]> {
    if (parent.history) return parent.history;
    const view = await this.suppressions.get(requireOrg(principal), parent.phoneNumber);
    return view.history.map(toHistoryEntry);
  }
}

function clean(filter: SuppressionFilter | null | undefined) {
  return {
    source: filter?.source ?? undefined,
    since: filter?.since ?? undefined,
    until: filter?.until ?? undefined,
    phoneNumber: filter?.phoneNumber ?? undefined,
  };
}
