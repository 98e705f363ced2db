import { Injectable } from '@nestjs/common';
import type { Tx } from '../common/db-context';
import { MembershipsRepository } from './memberships.repository';

type Args<K extends keyof MembershipsRepository> = Parameters<MembershipsRepository[K]>;

/**
 * An organization's roster, for the features above (identity, members, invitations): every call
 * runs in the caller's transaction, whose tenant (or user setting, for `forUser`) decides what
 * it sees. The rules of changing it (owners, last owner, events) are the callers'.
 */
@Injectable()
export class MembershipsService {
  constructor(private readonly memberships: MembershipsRepository) {}

  insert(...args: Args<'insert'>) {
    return this.memberships.insert(...args);
  }

  find(...args: Args<'find'>) {
    return this.memberships.find(...args);
  }

  /** Members with their users, oldest first (all of the organization, or `userIds`). */
  members(...args: Args<'members'>) {
    return this.memberships.members(...args);
  }

  /** Locks the organization's owners (role changes are serialized); how many there are. */
  lockOwners(...args: Args<'lockOwners'>) {
    return this.memberships.lockOwners(...args);
  }

  updateRole(...args: Args<'updateRole'>) {
    return this.memberships.updateRole(...args);
  }

  delete(...args: Args<'delete'>) {
    return this.memberships.delete(...args);
  }

  /** The user's memberships in every organization (the transaction needs the user setting). */
  forUser(tx: Tx, userId: string) {
    return this.memberships.forUser(tx, userId);
  }
}
