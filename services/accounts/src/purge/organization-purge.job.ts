import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { nestJobLogger, PeriodicJob } from '@switchboard/events';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { setUser } from '../common/db-context';
import { isPurgeDue } from '../domain/organization-rules';
import { AccountsEvents } from '../events/accounts-events';
import { LoginThrottle } from '../identity/login-throttle.service';
import { RateLimiter } from '@switchboard/rate-limit';
import { rateLimitRetentionSeconds } from '../common/rate-limits';
import { PurgeRepository } from './purge.repository';

const HOUSEKEEPING_INTERVAL_MS = 3_600_000;

/**
 * Finalizes closed organizations whose purge date has come: deletes their memberships,
 * sessions, API tokens and invitations, deletes users left without any organization, marks
 * the organization DELETED (its slug becomes free) and emits `OrganizationDeleted`, which
 * every other service acts on; once an hour it also does the housekeeping below. A PeriodicJob
 * every ORG_PURGE_INTERVAL_SECONDS in every replica (no lease needed): each organization is
 * purged in its own transaction holding its row lock (`FOR UPDATE SKIP LOCKED`, status
 * re-checked), so replicas never purge one twice and a rerun is a no-op.
 */
@Injectable()
export class OrganizationPurgeJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrganizationPurgeJob.name);
  private job?: PeriodicJob;
  private lastHousekeeping = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly purges: PurgeRepository,
    private readonly throttle: LoginThrottle,
    private readonly rateLimits: RateLimiter,
    private readonly events: AccountsEvents,
  ) {}

  onApplicationBootstrap(): void {
    const ms = this.config.ORG_PURGE_INTERVAL_SECONDS * 1000;
    if (ms <= 0) return;
    this.job = new PeriodicJob({
      name: 'organization purge',
      intervalMs: ms,
      initialDelayMs: ms,
      logger: nestJobLogger(OrganizationPurgeJob.name),
      run: () => this.tick(),
    });
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  private async tick(): Promise<void> {
    const purged = await this.runOnce();
    if (purged.length)
      this.logger.log({ msg: 'organizations purged', count: purged.length, orgIds: purged });
    if (Date.now() - this.lastHousekeeping >= HOUSEKEEPING_INTERVAL_MS) {
      this.lastHousekeeping = Date.now();
      await this.housekeeping();
    }
  }

  /**
   * Forgets what no longer matters: old login attempts and rate-limit records, used or expired
   * mailed tokens, and per organization (row-level security: one tenant at a time) sessions
   * that are over — revoked a week ago, or whose every refresh token has expired (kept until
   * then so that a replayed rotated token still revokes its family) — and invitations expired a
   * month ago.
   */
  async housekeeping(): Promise<void> {
    const now = this.clock.now();
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
    const monthAgo = new Date(now.getTime() - 30 * 86_400_000);
    await this.throttle.prune();
    await this.rateLimits.prune(rateLimitRetentionSeconds(this.config));
    await this.purges.deleteSpentUserTokens(this.dataSource.manager, now, weekAgo);
    for (const id of await this.purges.organizationsNotDeleted(this.dataSource.manager)) {
      await inTenantTransaction(this.dataSource, id, (tx) =>
        this.purges.deleteFinished(tx, id, now, weekAgo, monthAgo),
      );
    }
  }

  /** Purges every organization due now; returns their ids. */
  async runOnce(batch = 100): Promise<string[]> {
    const due = await this.purges.dueForPurge(this.dataSource.manager, this.clock.now(), batch);
    const purged: string[] = [];
    for (const id of due) if (await this.purge(id)) purged.push(id);
    return purged;
  }

  private purge(orgId: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const org = await this.purges.lockOrganization(tx, orgId);
      if (!org) return false; // another replica is on it
      if (!isPurgeDue(org.status, org.purgeAt, now)) return false;

      const { memberIds, apiTokenIds } = await this.purges.deleteTenantData(tx, orgId);
      let usersDeleted = 0;
      for (const userId of memberIds) {
        await setUser(tx, userId);
        if (!(await this.purges.deleteUserIfOrphaned(tx, userId))) continue;
        await this.events.userDeleted(tx, userId, 'organization purged', now);
        usersDeleted++;
      }

      const deleted = await this.purges.markDeleted(tx, orgId, now);
      await this.events.organizationDeleted(tx, deleted, now);
      await this.events.audit(tx, {
        actor: { kind: 'system', id: 'accounts.organization-purge' },
        action: 'organization.purge',
        orgId,
        resourceType: 'organization',
        resourceId: orgId,
        outcome: 'success',
        occurredAt: now,
        metadata: {
          memberships: String(memberIds.length),
          users_deleted: String(usersDeleted),
          api_tokens: String(apiTokenIds.length),
        },
      });
      return true;
    });
  }
}
