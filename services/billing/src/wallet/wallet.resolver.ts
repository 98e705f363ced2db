import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { pageWindow } from '@switchboard/service-kit';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import {
  seqOfCursor,
  toWalletEntryConnection,
  toWalletModel,
  WalletEntryConnection,
  WalletModel,
} from './wallet.model';
import { WalletService } from './wallet.service';

/** The wallet and its ledger (`messages:read`). */
@Resolver(() => WalletModel)
export class WalletResolver {
  constructor(private readonly wallets: WalletService) {}

  @Scopes('messages:read')
  @Query(() => WalletModel, { description: "Your organization's prepaid wallet." })
  async wallet(@CurrentPrincipal() principal: Principal): Promise<WalletModel> {
    return toWalletModel(await this.wallets.get(requireOrg(principal)));
  }

  @Scopes('messages:read')
  @Query(() => WalletEntryConnection, { description: 'The wallet ledger, newest first (Relay).' })
  async walletLedger(
    @CurrentPrincipal() principal: Principal,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<WalletEntryConnection> {
    const window = pageWindow(
      { first, after },
      {
        decode: seqOfCursor,
        invalid: (message) => new BillingException(BillingErrorCode.INVALID_PAGINATION, message),
        defaultSize: 50,
        maxSize: 200,
      },
    );
    const entries = await this.wallets.ledger(
      requireOrg(principal),
      window.limit + 1,
      window.after,
    );
    return toWalletEntryConnection(entries, window.limit, window.after !== undefined);
  }
}
