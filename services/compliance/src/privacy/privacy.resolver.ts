import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
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
import { actorOf } from '../common/actor';
import type { PrivacyCaller } from '../domain/privacy-request';
import { PrivacyRequest, PrivacySubjectInput, toPrivacyRequest } from './privacy.model';
import { PrivacyRequestsService } from './privacy-requests.service';

/** The caller as the privacy rules see it: who (a user) and whether it holds scope `admin`. */
function callerOf(principal: Principal): PrivacyCaller {
  return {
    userId: principal.kind === 'user' ? principal.userId : undefined,
    isOwner: 'scopes' in principal && principal.scopes.includes('admin'),
  };
}

/**
 * GDPR/CCPA requests. Any member may ask for (and follow) an export of their own data or the
 * erasure of their own; the owner (scope `admin`) also for the organization's and a phone
 * number's (domain/privacy-request.ts decides). Thin: one service call per field.
 */
@Resolver(() => PrivacyRequest)
export class PrivacyResolver {
  constructor(private readonly requests: PrivacyRequestsService) {}

  @Scopes('messages:read')
  @Mutation(() => PrivacyRequest, {
    description:
      'Exports the subject’s data from every service as one JSON document (a download link once complete). Audited.',
  })
  async requestDataExport(
    @CurrentPrincipal() principal: Principal,
    @Args('subject', { type: () => PrivacySubjectInput }) subject: PrivacySubjectInput,
  ): Promise<PrivacyRequest> {
    return toPrivacyRequest(
      await this.requests.request(
        requireOrg(principal),
        'EXPORT',
        subject,
        callerOf(principal),
        actorOf(principal),
      ),
    );
  }

  @Scopes('messages:read')
  @Mutation(() => PrivacyRequest, {
    description:
      'Erases or anonymizes the subject’s data in every service (opt-outs are kept: a legal hold). `confirmation` repeats the subject: your user id, or the phone number. Audited.',
  })
  async requestErasure(
    @CurrentPrincipal() principal: Principal,
    @Args('subject', { type: () => PrivacySubjectInput }) subject: PrivacySubjectInput,
    @Args('confirmation', { type: () => String }) confirmation: string,
  ): Promise<PrivacyRequest> {
    return toPrivacyRequest(
      await this.requests.request(
        requireOrg(principal),
        'ERASURE',
        subject,
        callerOf(principal),
        actorOf(principal),
        confirmation,
      ),
    );
  }

  @Scopes('messages:read')
  @Query(() => PrivacyRequest, {
    description: 'A privacy request and each service’s confirmation (yours, or any for the owner).',
  })
  async privacyRequest(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<PrivacyRequest> {
    return toPrivacyRequest(
      await this.requests.get(requireOrg(principal), id, callerOf(principal)),
    );
  }

  @PlatformAdminOperation('privacy_request.export', { targetOrgArg: 'orgId' })
  @Mutation(() => PrivacyRequest, {
    description:
      'Platform admins: exports a subject’s data of an organization (e.g. for a request received by the operator). Needs a reason; audited.',
  })
  async adminRequestDataExport(
    @CurrentPrincipal() principal: Principal,
    @Args('orgId', { type: () => ID }) orgId: string,
    @Args('subject', { type: () => PrivacySubjectInput }) subject: PrivacySubjectInput,
    @AccessReasonArg() _reason?: string,
  ): Promise<PrivacyRequest> {
    if (!isUuid(orgId))
      throw new CommonException(CommonErrorCode.NOT_FOUND, 'No such organization');
    return toPrivacyRequest(
      await this.requests.request(
        orgId.toLowerCase(),
        'EXPORT',
        subject,
        { userId: principal.kind === 'user' ? principal.userId : undefined, isOwner: true },
        actorOf(principal),
      ),
    );
  }
}
