import { Module } from '@nestjs/common';
import { QuotaStateConsumer } from './quota-state.consumer';
import { QuotaStateStore } from './quota-state.store';
import { QuotaPolicy } from './quota.policy';

/**
 * A sending service's quota projection and pre-send check. Wiring: import QuotaModule, call
 * createQuotaTables(runner, appRole) in a migration, and `quotaPolicy.check(tx, orgId,
 * segments)` in the transaction that accepts a message.
 */
@Module({
  providers: [QuotaStateStore, QuotaPolicy, QuotaStateConsumer],
  exports: [QuotaPolicy, QuotaStateStore],
})
export class QuotaModule {}
