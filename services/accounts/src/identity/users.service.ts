import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@switchboard/auth';
import { inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { MembershipsRepository } from '../members/memberships.repository';
import type { UserRecord } from './users.repository';

/** Users as other tenants' data: visible only through a membership in the caller's organization. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly memberships: MembershipsRepository,
  ) {}

  async reference(caller: Principal | undefined, userId: string): Promise<UserRecord | null> {
    if (!caller || caller.kind === 'service' || !isUuid(userId)) return null;
    const orgId = caller.orgId;
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const [member] = await this.memberships.members(tx, orgId, [userId]);
      return member?.user ?? null;
    });
  }
}
