import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { auditActorOf } from '@switchboard/events';
import { isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import {
  AddCarrierNumberInput,
  CarrierAccountModel,
  CarrierAccountTestResultModel,
  CarrierNumberModel,
  CreateCarrierAccountInput,
  toCarrierAccountModel,
  toCarrierAccountTestResult,
  toCarrierNumberModel,
} from './carrier-account.model';
import { CarrierAccountsService } from './carrier-accounts.service';

function checkId(id: string, code: MessagingErrorCode): string {
  if (!isUuid(id)) throw new MessagingException(code, 'Not found');
  return id.toLowerCase();
}
const accountId = (id: string) => checkId(id, MessagingErrorCode.CARRIER_ACCOUNT_NOT_FOUND);
const numberId = (id: string) => checkId(id, MessagingErrorCode.CARRIER_NUMBER_NOT_FOUND);

/** Carrier accounts and numbers: organization settings, so the organization's `admin` scope. */
@Resolver(() => CarrierAccountModel)
export class CarrierAccountsResolver {
  constructor(private readonly accounts: CarrierAccountsService) {}

  @Scopes('admin')
  @Query(() => [CarrierAccountModel], {
    description: "The organization's carrier accounts and sender numbers (never their secrets).",
  })
  async carrierAccounts(@CurrentPrincipal() principal: Principal): Promise<CarrierAccountModel[]> {
    return (await this.accounts.list(requireOrg(principal))).map(toCarrierAccountModel);
  }

  @Scopes('admin')
  @Mutation(() => CarrierAccountModel, {
    description:
      'Adds a Twilio or Telnyx account; its credentials are stored sealed and never shown again.',
  })
  async createCarrierAccount(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => CreateCarrierAccountInput }) input: CreateCarrierAccountInput,
  ): Promise<CarrierAccountModel> {
    return toCarrierAccountModel(
      await this.accounts.create(requireOrg(principal), auditActorOf(principal), input),
    );
  }

  @Scopes('admin')
  @Mutation(() => Boolean, { description: 'Removes the account and its numbers.' })
  async deleteCarrierAccount(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    return this.accounts.delete(requireOrg(principal), auditActorOf(principal), accountId(id));
  }

  @Scopes('admin')
  @Mutation(() => CarrierAccountTestResultModel, {
    description:
      "Calls the vendor with the account's credentials (read-only) and returns its answer.",
  })
  async testCarrierAccount(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CarrierAccountTestResultModel> {
    return toCarrierAccountTestResult(
      await this.accounts.test(requireOrg(principal), accountId(id)),
    );
  }

  @Scopes('admin')
  @Mutation(() => CarrierNumberModel, {
    description: 'Adds a sender number to a carrier account (a number belongs to one account).',
  })
  async addCarrierNumber(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => AddCarrierNumberInput }) input: AddCarrierNumberInput,
  ): Promise<CarrierNumberModel> {
    return toCarrierNumberModel(
      await this.accounts.addNumber(requireOrg(principal), auditActorOf(principal), {
        ...input,
        carrierAccountId: accountId(input.carrierAccountId),
      }),
    );
  }

  @Scopes('admin')
  @Mutation(() => Boolean)
  async removeCarrierNumber(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    return this.accounts.removeNumber(requireOrg(principal), auditActorOf(principal), numberId(id));
  }
}
