import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { segmentDelta } from '../domain/segment';
import type { ContactListRecord } from './contact-list.record';
import { ListsRepository } from './lists.repository';

type Attributes = Readonly<Record<string, string>> | null;

/**
 * Keeps segments' member counters right as contacts change: every write of a contact's
 * attributes says before and after, and each segment's counter moves by the pure delta. Reading
 * a count is then one row, at any size.
 */
@Injectable()
export class SegmentCounters {
  constructor(private readonly lists: ListsRepository) {}

  /** The organization's segments (whose counters writes of contacts move). */
  active(tx: EntityManager): Promise<ContactListRecord[]> {
    return this.lists.segments(tx);
  }

  /**
   * Applies the changes of a batch of contacts (before → after; null: absent); `segments`:
   * `active`'s answer when the caller has it.
   */
  async apply(
    tx: EntityManager,
    changes: Array<{ before: Attributes; after: Attributes }>,
    now: Date,
    known?: ContactListRecord[],
  ): Promise<void> {
    const segments = known ?? (await this.lists.segments(tx));
    if (segments.length === 0 || changes.length === 0) return;
    const deltas = new Map<string, number>();
    for (const segment of segments) {
      let delta = 0;
      for (const change of changes)
        delta += segmentDelta(segment.filter!, change.before, change.after);
      deltas.set(segment.id, delta);
    }
    await this.lists.addToCounts(tx, deltas, now);
  }
}
