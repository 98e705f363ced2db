import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { pageWindow, toPage, type Page, type PageRequest } from '../common/page';
import type { ContactRecord } from '../contacts/contact.record';
import { ContactsRepository } from '../contacts/contacts.repository';
import { segmentFilterProblem, type SegmentFilter } from '../domain/segment';
import type { ContactListRecord } from './contact-list.record';
import { ListsRepository } from './lists.repository';

export const LIST_CURSOR = 'contact-list';
export const MEMBER_CURSOR = 'list-member';
const CONTACT_CURSOR = 'contact';
const NAME_MAX_LENGTH = 200;
/** addContactsToList / removeContactsFromList: at most this many ids per call. */
export const LIST_WRITE_MAX = 1000;

/** Static lists (explicit members) and segments (an attribute filter), with their counters. */
@Injectable()
export class ListsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly lists: ListsRepository,
    private readonly contacts: ContactsRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * A static list, or with `filter` a segment. A segment's counter starts from one count of
   * the contacts matching it (the GIN index on attributes); every later contact write moves it.
   */
  async create(
    orgId: string,
    input: { name: string; filter?: SegmentFilter | null },
  ): Promise<ContactListRecord> {
    const name = checkName(input.name);
    const filter = input.filter ?? null;
    const problem = filter && segmentFilterProblem(filter);
    if (problem) throw new MessagingException(MessagingErrorCode.INVALID_CONTACT_LIST, problem);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const memberCount = filter ? await this.lists.countMatching(tx, filter) : 0;
      return this.lists.insert(
        tx,
        { id: randomUUID(), orgId, name, kind: filter ? 'SEGMENT' : 'STATIC', filter, memberCount },
        this.clock.now(),
      );
    });
  }

  async rename(orgId: string, id: string, name: string): Promise<ContactListRecord> {
    const checked = checkName(name);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (!(await this.lists.find(tx, id, true))) throw notFound();
      await this.lists.rename(tx, id, checked, this.clock.now());
      return (await this.lists.find(tx, id))!;
    });
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.lists.delete(tx, id));
  }

  async get(orgId: string, id: string): Promise<ContactListRecord> {
    const found = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.lists.find(tx, id),
    );
    if (!found) throw notFound();
    return found;
  }

  async list(orgId: string, request: PageRequest): Promise<Page<ContactListRecord>> {
    const window = pageWindow(LIST_CURSOR, request);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const rows =
        window.limit === 0 ? [] : await this.lists.page(tx, window.limit + 1, window.after);
      return toPage(LIST_CURSOR, rows, window.limit, !!window.after, (l) => ({
        micros: l.createdMicros,
        id: l.id,
      }));
    });
  }

  /** Adds contacts to a static list (members already in it are left); the list after. */
  async addContacts(orgId: string, id: string, contactIds: string[]): Promise<ContactListRecord> {
    return this.writeMembers(orgId, id, contactIds, async (tx, now) =>
      this.lists.addMembers(tx, orgId, id, contactIds, now),
    );
  }

  async removeContacts(
    orgId: string,
    id: string,
    contactIds: string[],
  ): Promise<ContactListRecord> {
    return this.writeMembers(
      orgId,
      id,
      contactIds,
      async (tx) => -(await this.lists.removeMembers(tx, id, contactIds)),
    );
  }

  private async writeMembers(
    orgId: string,
    id: string,
    contactIds: string[],
    write: (tx: Parameters<ListsRepository['find']>[0], now: Date) => Promise<number>,
  ): Promise<ContactListRecord> {
    if (contactIds.length === 0 || contactIds.length > LIST_WRITE_MAX) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_CONTACT_LIST,
        `Give 1 to ${LIST_WRITE_MAX} contact ids per call`,
      );
    }
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const list = await this.lists.find(tx, id, true);
      if (!list) throw notFound();
      if (list.kind === 'SEGMENT') {
        throw new MessagingException(
          MessagingErrorCode.INVALID_CONTACT_LIST,
          'A segment’s members are the contacts matching its filter; they cannot be added or removed',
        );
      }
      const now = this.clock.now();
      const delta = await write(tx, now);
      await this.lists.addToCounts(tx, new Map([[id, delta]]), now);
      return (await this.lists.find(tx, id))!;
    });
  }

  /**
   * A list's contacts: a static list's by when they were added (last first), a segment's the
   * contacts matching its filter (newest first).
   */
  async members(orgId: string, id: string, request: PageRequest): Promise<Page<ContactRecord>> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const list = await this.lists.find(tx, id);
      if (!list) throw notFound();
      if (list.kind === 'SEGMENT') {
        const window = pageWindow(CONTACT_CURSOR, request);
        const rows =
          window.limit === 0
            ? []
            : await this.contacts.page(
                tx,
                { attributes: list.filter! },
                window.limit + 1,
                window.after,
              );
        return toPage(CONTACT_CURSOR, rows, window.limit, !!window.after, (c) => ({
          micros: c.createdMicros,
          id: c.id,
        }));
      }
      const window = pageWindow(MEMBER_CURSOR, request);
      const members =
        window.limit === 0 ? [] : await this.lists.members(tx, id, window.limit + 1, window.after);
      const byId = new Map(
        (
          await this.contacts.findByIds(
            tx,
            members.map((m) => m.contactId),
          )
        ).map((c) => [c.id, c]),
      );
      const rows = members
        .filter((m) => byId.has(m.contactId))
        .map((m) => ({ member: m, contact: byId.get(m.contactId)! }));
      const page = toPage(MEMBER_CURSOR, rows, window.limit, !!window.after, (r) => ({
        micros: r.member.addedMicros,
        id: r.member.contactId,
      }));
      return {
        ...page,
        edges: page.edges.map((e) => ({ cursor: e.cursor, node: e.node.contact })),
      };
    });
  }
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > NAME_MAX_LENGTH) {
    throw new MessagingException(
      MessagingErrorCode.INVALID_CONTACT_LIST,
      `A list name has 1 to ${NAME_MAX_LENGTH} characters`,
    );
  }
  return trimmed;
}

function notFound(): MessagingException {
  return new MessagingException(MessagingErrorCode.CONTACT_LIST_NOT_FOUND, 'No such list');
}
