import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { actorOf } from '../common/actor';
import type { PolicyChange } from '../domain/policy';
import { CompliancePolicy, toCompliancePolicy, UpdateCompliancePolicyInput } from './policy.model';
import { PolicyService } from './policy.service';

/** Keeps the fields that were given (null and undefined: unchanged). */
function changeOf(input: UpdateCompliancePolicyInput): PolicyChange {
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== null && value !== undefined),
  ) as PolicyChange;
}

/**
 * The organization's compliance policy. Reading needs `messages:read` (members and owners);
 * changing it needs `admin` (the owner, or an owner's API token with `admin`). Thin: one
 * service call per field; ranges are checked in domain/policy.ts (INVALID_POLICY).
 */
@Resolver(() => CompliancePolicy)
export class PolicyResolver {
  constructor(private readonly policies: PolicyService) {}

  @Scopes('messages:read')
  @Query(() => CompliancePolicy, {
    description: "The organization's quiet hours, consent requirement, retention and reply texts.",
  })
  async compliancePolicy(@CurrentPrincipal() principal: Principal): Promise<CompliancePolicy> {
    return toCompliancePolicy(await this.policies.get(requireOrg(principal)));
  }

  @Scopes('admin')
  @Mutation(() => CompliancePolicy, {
    description:
      'Changes the compliance policy (owner). Published to every service and written to the audit log.',
  })
  async updateCompliancePolicy(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => UpdateCompliancePolicyInput }) input: UpdateCompliancePolicyInput,
  ): Promise<CompliancePolicy> {
    return toCompliancePolicy(
      await this.policies.update(requireOrg(principal), changeOf(input), actorOf(principal)),
    );
  }
}
