import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@switchboard/auth';
import { inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { MembershipsService } from '../organizations/memberships.service';
import type { UserRecord } from './user.record';
import type { Tx } from '../common/db-context';
import { UsersRepository } from './users.repository';
import { Clock } from '@switchboard/service-kit';

/**
 * Users as other features see them: accounts by email or Google subject, and users as other
 * tenants' data (visible only through a membership in the caller's organization).
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly memberships: MembershipsService,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
  ) {}

  /** The account with this email; in `tx` when given (users are global: no tenant needed). */
  findByEmail(email: string, tx: Tx = this.dataSource.manager): Promise<UserRecord | undefined> {
    return this.users.findByEmail(tx, email);
  }

  findById(userId: string, tx: Tx = this.dataSource.manager): Promise<UserRecord | undefined> {
    return this.users.findById(tx, userId);
  }

  /** Creates an account in `tx` (e.g. an invited person's, whose email the invitation proved). */
  create(tx: Tx, user: Parameters<UsersRepository['insert']>[1], now: Date): Promise<UserRecord> {
    return this.users.insert(tx, user, now);
  }

  markEmailVerified(tx: Tx, userId: string, email: string, now: Date) {
    return this.users.markEmailVerified(tx, userId, email, now);
  }

  findByGoogleSubject(subject: string): Promise<UserRecord | undefined> {
    return this.users.findByGoogleSubject(this.dataSource, subject);
  }

  /** Links a Google identity to an existing account (its email verified by Google). */
  async linkGoogle(userId: string, subject: string): Promise<void> {
    await this.users.linkGoogle(this.dataSource, userId, subject, this.clock.now());
  }

  async reference(caller: Principal | undefined, userId: string): Promise<UserRecord | null> {
    if (!caller || caller.kind === 'service' || !isUuid(userId)) return null;
    const orgId = caller.orgId;
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const [member] = await this.memberships.members(tx, orgId, [userId]);
      return member?.user ?? null;
    });
  }
}
