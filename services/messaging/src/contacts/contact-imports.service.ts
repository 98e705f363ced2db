import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { parse, type CsvError } from 'csv-parse';
import { DataSource } from 'typeorm';
import { OutboxWriter } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import {
  duplicateProblem,
  mapHeader,
  mergeDrafts,
  readContactRow,
  sniffDelimiter,
  type ContactDraft,
  type HeaderMapping,
  type ImportRowProblem,
} from '../domain/contact-import';
import { signImportLink, verifyImportLink, type ImportLinkPurpose } from '../domain/import-link';
import { ListsRepository } from '../lists/lists.repository';
import { SegmentCounters } from '../lists/segment-counters';
import type { ContactImportRecord, ImportProgress } from './contact-import.record';
import { consentRequestDraft } from './contact-events';
import { ContactImportsRepository } from './contact-imports.repository';
import {
  ContactsRepository,
  type ImportedContact,
  type UpsertedContact,
} from './contacts.repository';
import type { ExistingContact } from './contact.record';
import { ContactsService } from './contacts.service';

/** The header line is looked for in at most this many bytes (for the delimiter). */
const HEAD_MAX_BYTES = 64 * 1024;
const REPORT_PAGE = 1000;

interface PendingRow {
  line: number;
  cells: string[];
}

/** A created import and the link its file goes to. */
export interface ContactImportTicket {
  record: ContactImportRecord;
  uploadUrl: string;
}

/** An import with its report link (once it has finished). */
export interface ContactImportView {
  record: ContactImportRecord;
  reportUrl: string | null;
}

/**
 * CSV imports of contacts, streamed end to end: the upload is parsed as it arrives (csv-parse),
 * rows are checked by the pure rules in domain/contact-import and written in batches (one
 * transaction, one multi-row upsert each), so memory stays flat whatever the file's size and
 * progress is readable while it runs. Every row not taken as it was is in the report.
 */
@Injectable()
export class ContactImportsService {
  private readonly logger = new Logger('ContactImports');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly imports: ContactImportsRepository,
    private readonly contacts: ContactsRepository,
    private readonly contactsService: ContactsService,
    private readonly lists: ListsRepository,
    private readonly segments: SegmentCounters,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  /** A new import (into a static list when `listId` is given) and its one-time upload link. */
  async create(orgId: string, input: { listId?: string | null }): Promise<ContactImportTicket> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.CONTACT_IMPORT_LINK_TTL_SECONDS * 1000);
    const record = await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (input.listId) {
        const list = isUuid(input.listId) ? await this.lists.find(tx, input.listId) : undefined;
        if (!list) {
          throw new MessagingException(MessagingErrorCode.CONTACT_LIST_NOT_FOUND, 'No such list');
        }
        if (list.kind !== 'STATIC') {
          throw new MessagingException(
            MessagingErrorCode.INVALID_CONTACT_LIST,
            'Imports go into static lists; a segment’s members follow its filter',
          );
        }
      }
      return this.imports.insert(
        tx,
        {
          id: randomUUID(),
          orgId,
          listId: input.listId ?? null,
          defaultCountry: await this.contactsService.defaultCountry(tx, orgId),
          uploadExpiresAt: expiresAt,
        },
        now,
      );
    });
    return { record, uploadUrl: this.link('upload', record, expiresAt) };
  }

  async get(orgId: string, id: string): Promise<ContactImportView> {
    const record = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.imports.find(tx, id),
    );
    if (!record) {
      throw new MessagingException(MessagingErrorCode.CONTACT_IMPORT_NOT_FOUND, 'No such import');
    }
    return { record, reportUrl: this.reportUrl(record) };
  }

  /**
   * The upload (`PUT /uploads/contact-imports/:id?token=…`): runs the import from the request
   * body as it streams in and returns the finished import. The link works once.
   */
  async upload(id: string, token: string, body: Readable): Promise<ContactImportView> {
    const orgId = this.verify('upload', id, token);
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const found = await this.imports.find(tx, id, true);
      if (!found) throw invalidLink();
      if (found.status !== 'AWAITING_UPLOAD') {
        throw new MessagingException(
          MessagingErrorCode.IMPORT_ALREADY_UPLOADED,
          'This import already has its file',
        );
      }
      await this.imports.start(tx, id, this.clock.now());
    });
    let record: ContactImportRecord;
    try {
      await this.run(orgId, id, body);
      record = await this.finish(orgId, id, 'COMPLETED', null);
    } catch (error) {
      const reason =
        error instanceof MessagingException ? error.message : 'the upload was interrupted';
      this.logger.warn({ msg: 'contact import failed', importId: id, reason });
      await this.finish(orgId, id, 'FAILED', reason);
      throw error;
    }
    return { record, reportUrl: this.reportUrl(record) };
  }

  /** The report as CSV lines (`row,column,reason,detail`), read page by page. */
  async *report(id: string, token: string): AsyncGenerator<string> {
    const orgId = this.verify('report', id, token);
    yield 'row,column,reason,detail\n';
    let after: { row: number; seq: number } | undefined;
    for (;;) {
      const page = await inTenantTransaction(this.dataSource, orgId, (tx) =>
        this.imports.errors(tx, id, REPORT_PAGE, after),
      );
      for (const p of page) {
        yield `${[String(p.row), p.column ?? '', p.reason, p.detail].map(csvCell).join(',')}\n`;
      }
      if (page.length < REPORT_PAGE) return;
      after = page[page.length - 1];
    }
  }

  private async finish(
    orgId: string,
    id: string,
    status: 'COMPLETED' | 'FAILED',
    failure: string | null,
  ): Promise<ContactImportRecord> {
    return inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.imports.finish(tx, id, status, failure, this.clock.now()),
    );
  }

  private async run(orgId: string, id: string, body: Readable): Promise<void> {
    const importRecord = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.imports.find(tx, id),
    );
    const { delimiter, source } = await sniffed(body);
    const skipped: ImportRowProblem[] = [];
    const parser = parse({
      bom: true,
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (error: CsvError | undefined) => {
        if (error) {
          skipped.push({
            row: Number((error as CsvError & { lines?: number }).lines ?? 0),
            column: null,
            reason: 'MALFORMED_ROW',
            detail: String(error.code ?? 'malformed CSV'),
          });
        }
      },
    });
    source.on('error', (error) => parser.destroy(error));
    source.pipe(parser);
    let header: ImportHeader | undefined;
    let batch: CheckedBatch | undefined;
    // One batch is written while the next is read and checked (the row checks are the CPU
    // work, the write the database's): at most two batches in memory.
    let writing: Promise<void> | undefined;
    const write = async (full: CheckedBatch) => {
      await writing;
      writing = this.flush(orgId, importRecord!, full);
      writing.catch(() => undefined); // awaited before the next write, or at the end
    };
    try {
      for await (const { record, info } of parser as AsyncIterable<{
        record: string[];
        info: { lines: number };
      }>) {
        if (!header) {
          const check = mapHeader(record);
          if (!check.ok) {
            source.destroy();
            throw new MessagingException(
              MessagingErrorCode.INVALID_IMPORT_FILE,
              `The header row cannot be used: ${check.reason}`,
            );
          }
          const names = record.map((cell) => cell.trim());
          const columnName = (index: number) => names[index] ?? `column ${index + 1}`;
          header = {
            mapping: check.mapping,
            columnName,
            phoneColumn: columnName(check.mapping.phone),
          };
          continue;
        }
        batch ??= newBatch();
        batch.add(skipped.splice(0));
        checkRow(batch, header, importRecord!.defaultCountry, { line: info.lines, cells: record });
        if (batch.rows >= this.config.CONTACT_IMPORT_BATCH_SIZE) {
          await write(batch);
          batch = undefined;
        }
      }
      if (!header) {
        throw new MessagingException(MessagingErrorCode.INVALID_IMPORT_FILE, 'The file is empty');
      }
      batch ??= newBatch();
      batch.add(skipped.splice(0));
      await write(batch);
      await writing;
    } catch (error) {
      await writing?.catch(() => undefined);
      throw error;
    }
  }

  /** One checked batch in one transaction: the upsert, memberships, report, counters. */
  private async flush(
    orgId: string,
    importRecord: ContactImportRecord,
    batch: CheckedBatch,
  ): Promise<void> {
    const { drafts, problems, progress, phoneColumn } = batch;
    if (progress.rowsRead === 0) return;
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      // Segments' counters need each contact's attributes before the batch: only then are the
      // batch's numbers read (and locked) first. Without segments the upsert alone says what
      // it did (inserted, or kept an earlier row of this import: a duplicate) — one statement
      // and no row written twice (the lock marks every existing row), which a re-upload feels.
      const segments = await this.segments.active(tx);
      const existing = segments.length
        ? new Map(
            (await this.contacts.lockExisting(tx, [...drafts.keys()])).map((c) => [
              c.phoneNumber,
              c,
            ]),
          )
        : undefined;
      const imported: ImportedContact[] = [];
      for (const [, { row, draft }] of drafts) imported.push({ id: randomUUID(), row, draft });
      const written = imported.length
        ? await this.contacts.upsertImported(tx, orgId, importRecord.id, imported, now)
        : new Map<string, UpsertedContact>();
      const changes: Array<{
        before: Record<string, string> | null;
        after: Record<string, string>;
      }> = [];
      for (const [number, { row, draft }] of drafts) {
        const outcome = importOutcome(
          importRecord.id,
          row,
          existing?.get(number),
          written.get(number),
          existing !== undefined,
        );
        if (outcome.duplicateOf !== null) {
          problems.push(duplicateProblem(row, outcome.duplicateOf, phoneColumn));
          progress.rowsDuplicate += 1;
        } else {
          progress.rowsAccepted += 1;
          if (outcome.existed) progress.contactsUpdated += 1;
          else progress.contactsCreated += 1;
        }
        if (existing) {
          const before = existing.get(number)?.attributes ?? null;
          changes.push({ before, after: { ...(before ?? {}), ...draft.attributes } });
        }
      }
      await this.segments.apply(tx, changes, now, segments);
      if (importRecord.listId && written.size) {
        const added = await this.lists.addMembers(
          tx,
          orgId,
          importRecord.listId,
          [...written.values()].map((c) => c.id),
          now,
        );
        await this.lists.addToCounts(tx, new Map([[importRecord.listId, added]]), now);
      }
      // Consent from the opt-in columns goes to compliance through the outbox (never for a
      // number messaging knows is opted out; compliance decides, and consent never lifts one).
      const withOptIn = imported.filter((c) => c.draft.optIn);
      if (withOptIn.length) {
        const optedOut = await this.contacts.optedOutAmong(
          tx,
          withOptIn.map((c) => c.draft.phoneNumber),
        );
        for (const { draft } of withOptIn) {
          if (optedOut.has(draft.phoneNumber)) continue;
          await this.outbox.add(
            tx,
            consentRequestDraft(orgId, importRecord.id, draft.phoneNumber, draft.optIn!, now),
          );
        }
      }
      await this.imports.insertErrors(tx, orgId, importRecord.id, problems);
      await this.imports.addProgress(tx, importRecord.id, progress);
    });
  }

  private verify(purpose: ImportLinkPurpose, id: string, token: string): string {
    const verified = isUuid(id)
      ? verifyImportLink(
          this.config.DOWNLOAD_SIGNING_SECRET,
          purpose,
          id.toLowerCase(),
          token,
          this.clock.now(),
        )
      : undefined;
    if (!verified) throw invalidLink();
    return verified.orgId;
  }

  private link(purpose: ImportLinkPurpose, record: ContactImportRecord, expiresAt: Date): string {
    const token = signImportLink(
      this.config.DOWNLOAD_SIGNING_SECRET,
      purpose,
      record.id,
      record.orgId,
      expiresAt,
    );
    const base = this.config.PUBLIC_DOWNLOAD_BASE_URL.replace(/\/+$/, '');
    const path = purpose === 'upload' ? record.id : `${record.id}/report`;
    return `${base}/uploads/contact-imports/${path}?token=${encodeURIComponent(token)}`;
  }

  private reportUrl(record: ContactImportRecord): string | null {
    if (record.status !== 'COMPLETED' && record.status !== 'FAILED') return null;
    const now = this.clock.now();
    return this.link(
      'report',
      record,
      new Date(now.getTime() + this.config.CONTACT_IMPORT_LINK_TTL_SECONDS * 1000),
    );
  }
}

function invalidLink(): MessagingException {
  return new MessagingException(
    MessagingErrorCode.IMPORT_LINK_INVALID,
    'This link is not valid (or has expired)',
  );
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Reads the body up to the end of its first line to choose the delimiter, then gives the whole
 * body back as a stream (the bytes read included), still pulled as the parser asks for more.
 */
async function sniffed(body: Readable): Promise<{ delimiter: ',' | ';'; source: Readable }> {
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let head = Buffer.alloc(0);
  let done = false;
  while (!head.includes(0x0a) && head.length < HEAD_MAX_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  const firstLine = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)[0];
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  }
  return {
    delimiter: sniffDelimiter(firstLine),
    source: Readable.from(all(), { objectMode: false }),
  };
}

interface ImportHeader {
  mapping: HeaderMapping;
  columnName: (index: number) => string;
  phoneColumn: string;
}

/** A batch of checked rows: the contacts to write (one per number), the report, the counts. */
interface CheckedBatch {
  drafts: Map<string, { row: number; draft: ContactDraft }>;
  problems: ImportRowProblem[];
  progress: ImportProgress;
  phoneColumn: string;
  /** Data rows in it (the batch is written when it reaches the batch size). */
  rows: number;
  /** Adds rows the parser skipped as malformed. */
  add(skipped: ImportRowProblem[]): void;
}

function newBatch(): CheckedBatch {
  const batch: CheckedBatch = {
    drafts: new Map(),
    problems: [],
    progress: {
      rowsRead: 0,
      rowsAccepted: 0,
      rowsRejected: 0,
      rowsDuplicate: 0,
      contactsCreated: 0,
      contactsUpdated: 0,
    },
    phoneColumn: '',
    rows: 0,
    add(skipped) {
      batch.problems.push(...skipped);
      batch.progress.rowsRead += skipped.length;
      batch.progress.rowsRejected += skipped.length;
    },
  };
  return batch;
}

/** Checks one row into the batch: rejected (reported), a duplicate (merged, reported) or new. */
function checkRow(
  batch: CheckedBatch,
  header: ImportHeader,
  defaultCountry: string,
  pending: PendingRow,
): void {
  batch.phoneColumn = header.phoneColumn;
  batch.rows += 1;
  batch.progress.rowsRead += 1;
  const check = readContactRow(
    pending.cells,
    pending.line,
    header.mapping,
    defaultCountry,
    header.columnName,
  );
  if (!check.ok) {
    batch.problems.push(...check.problems);
    batch.progress.rowsRejected += 1;
    return;
  }
  const first = batch.drafts.get(check.contact.phoneNumber);
  if (first) {
    first.draft = mergeDrafts(first.draft, check.contact);
    batch.problems.push(duplicateProblem(pending.line, first.row, header.phoneColumn));
    batch.progress.rowsDuplicate += 1;
    return;
  }
  batch.drafts.set(check.contact.phoneNumber, { row: pending.line, draft: check.contact });
}

/**
 * What the batch's upsert did to one number: an earlier row of this import had it (a DUPLICATE
 * of that row, merged), or it existed before (updated), or it is new. Read from the locked
 * contact before the upsert when there was one (`locked`), else from the upsert's answer.
 */
function importOutcome(
  importId: string,
  row: number,
  known: ExistingContact | undefined,
  written: UpsertedContact | undefined,
  locked: boolean,
): { duplicateOf: number | null; existed: boolean } {
  if (locked) {
    return known?.lastImportId === importId
      ? { duplicateOf: known.lastImportRow ?? 0, existed: true }
      : { duplicateOf: null, existed: known !== undefined };
  }
  if (!written || written.inserted) return { duplicateOf: null, existed: false };
  // The upsert keeps the row number of this import's first row for the number.
  return written.lastImportRow !== null && written.lastImportRow !== row
    ? { duplicateOf: written.lastImportRow, existed: true }
    : { duplicateOf: null, existed: true };
}
