import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { pageWindow, toPage, type Page, type PageRequest } from '../common/page';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import type { ContactDraft, OptInEvidence } from '../domain/contact-import';
import { normalizePhoneNumber } from '../domain/phone-number';
import { ListsRepository } from '../lists/lists.repository';
import { SegmentCounters } from '../lists/segment-counters';
import { ProjectionsRepository } from '../projections/projections.repository';
import type { ContactRecord } from './contact.record';
import { ContactsRepository } from './contacts.repository';

export const CONTACT_CURSOR = 'contact';
const NAME_MAX_LENGTH = 200;

export interface ContactInput {
  phoneNumber: string;
  name?: string | null;
  attributes?: Record<string, string> | null;
  optIn?: OptInEvidence | null;
}

export type ContactPatch = Partial<Omit<ContactInput, 'phoneNumber'>>;

/** Contacts: one per organization and number, with a name, attributes and opt-in evidence. */
@Injectable()
export class ContactsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly contacts: ContactsRepository,
    private readonly lists: ListsRepository,
    private readonly segments: SegmentCounters,
    private readonly projections: ProjectionsRepository,
    private readonly clock: Clock,
  ) {}

  /** The organization's country for national numbers (the service default without one). */
  async defaultCountry(tx: EntityManager, orgId: string): Promise<string> {
    const organization = await this.projections.findOrganization(tx, orgId);
    return organization?.defaultCountry ?? this.config.DEFAULT_COUNTRY;
  }

  async create(orgId: string, input: ContactInput): Promise<ContactRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const draft: ContactDraft = {
        phoneNumber: await this.number(tx, orgId, input.phoneNumber),
        name: checkName(input.name),
        attributes: input.attributes ?? {},
        optIn: input.optIn ?? null,
      };
      const created = await this.contacts.insert(tx, orgId, randomUUID(), draft, now);
      if (!created) {
        throw new MessagingException(
          MessagingErrorCode.CONTACT_EXISTS,
          'The organization already has a contact with this number',
        );
      }
      await this.segments.apply(tx, [{ before: null, after: created.attributes }], now);
      return created;
    });
  }

  /** Changes what the patch names; `attributes` replaces them all, `null` clears a field. */
  async update(orgId: string, id: string, patch: ContactPatch): Promise<ContactRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const current = await this.contacts.findById(tx, id, true);
      if (!current) throw notFound();
      const fields = {
        name: patch.name === undefined ? current.name : checkName(patch.name),
        attributes: patch.attributes === undefined ? current.attributes : (patch.attributes ?? {}),
        optIn: patch.optIn === undefined ? current.optIn : patch.optIn,
      };
      const updated = (await this.contacts.update(tx, id, fields, now))!;
      await this.segments.apply(
        tx,
        [{ before: current.attributes, after: updated.attributes }],
        now,
      );
      return updated;
    });
  }

  /** Deletes a contact (its list memberships with it); false when there was none. */
  async delete(orgId: string, id: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const current = await this.contacts.findById(tx, id, true);
      if (!current) return false;
      const inLists = await this.lists.listsOf(tx, id);
      await this.lists.addToCounts(tx, new Map(inLists.map((listId) => [listId, -1])), now);
      await this.segments.apply(tx, [{ before: current.attributes, after: null }], now);
      return this.contacts.delete(tx, id);
    });
  }

  async get(orgId: string, id: string): Promise<ContactRecord> {
    const found = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.contacts.findById(tx, id),
    );
    if (!found) throw notFound();
    return found;
  }

  /** Newest first; `phoneNumber` (any format the organization's country reads) narrows to one. */
  async list(
    orgId: string,
    filter: { phoneNumber?: string | null; attributes?: Record<string, string> | null },
    request: PageRequest,
  ): Promise<Page<ContactRecord>> {
    const window = pageWindow(CONTACT_CURSOR, request);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const phoneNumber = filter.phoneNumber
        ? await this.number(tx, orgId, filter.phoneNumber)
        : undefined;
      const attributes =
        filter.attributes && Object.keys(filter.attributes).length ? filter.attributes : undefined;
      const rows =
        window.limit === 0
          ? []
          : await this.contacts.page(
              tx,
              { phoneNumber, attributes },
              window.limit + 1,
              window.after,
            );
      return toPage(CONTACT_CURSOR, rows, window.limit, !!window.after, (c) => ({
        micros: c.createdMicros,
        id: c.id,
      }));
    });
  }

  private async number(tx: EntityManager, orgId: string, input: string): Promise<string> {
    const parsed = normalizePhoneNumber(input, await this.defaultCountry(tx, orgId));
    if (!parsed.ok) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_NUMBER,
        `phoneNumber is not a valid phone number (${parsed.reason})`,
      );
    }
    return parsed.e164;
  }
}

function checkName(name: string | null | undefined): string | null {
  const trimmed = name?.trim() ?? '';
  if (trimmed.length > NAME_MAX_LENGTH) {
    throw new MessagingException(
      MessagingErrorCode.INVALID_CONTACT,
      `name may have at most ${NAME_MAX_LENGTH} characters`,
    );
  }
  return trimmed === '' ? null : trimmed;
}

function notFound(): MessagingException {
  return new MessagingException(MessagingErrorCode.CONTACT_NOT_FOUND, 'No such contact');
}
