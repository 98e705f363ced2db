import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  InputType,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import type { ContactImportStatus } from './contact-import.record';
import type { ContactImportTicket, ContactImportView } from './contact-imports.service';

export const ContactImportStatusEnum = {
  AWAITING_UPLOAD: 'AWAITING_UPLOAD',
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
} as const;
registerEnumType(ContactImportStatusEnum, {
  name: 'ContactImportStatus',
  description:
    'AWAITING_UPLOAD (the link was not used yet), RUNNING (rows are being read), COMPLETED, FAILED (see failure; batches written before stay).',
});

@ObjectType('ContactImport', {
  description: 'A CSV upload of contacts with its live progress and report.',
})
export class ContactImportModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'The static list the contacts go into.' })
  listId!: string | null;

  @Field(() => ContactImportStatusEnum)
  status!: ContactImportStatus;

  @Field(() => String, { description: 'The country national numbers are read in.' })
  defaultCountry!: string;

  @Field(() => Float, { description: 'Data rows read so far (the header not counted).' })
  rowsRead!: number;

  @Field(() => Float, { description: 'Rows that created or updated a contact.' })
  rowsAccepted!: number;

  @Field(() => Float, { description: 'Rows not imported (each in the report).' })
  rowsRejected!: number;

  @Field(() => Float, {
    description: 'Rows with a number an earlier row had: merged into it (each in the report).',
  })
  rowsDuplicate!: number;

  @Field(() => Float)
  contactsCreated!: number;

  @Field(() => Float)
  contactsUpdated!: number;

  @Field(() => String, { nullable: true })
  failure!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Once finished: a signed link to the report (CSV: row, column, reason, detail), through the gateway.',
  })
  reportUrl!: string | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}

export function toContactImportModel(view: ContactImportView): ContactImportModel {
  const r = view.record;
  return {
    id: r.id,
    listId: r.listId,
    status: r.status,
    defaultCountry: r.defaultCountry,
    rowsRead: r.rowsRead,
    rowsAccepted: r.rowsAccepted,
    rowsRejected: r.rowsRejected,
    rowsDuplicate: r.rowsDuplicate,
    contactsCreated: r.contactsCreated,
    contactsUpdated: r.contactsUpdated,
    failure: r.failure,
    reportUrl: view.reportUrl,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

@ObjectType({ description: 'A new import and where its file goes.' })
export class ContactImportTicketModel {
  @Field(() => ContactImportModel)
  import!: ContactImportModel;

  @Field(() => String, {
    description:
      'PUT (or POST) the CSV here as the raw body (Content-Type: text/csv); works once, until uploadExpiresAt.',
  })
  uploadUrl!: string;

  @Field(() => GraphQLISODateTime)
  uploadExpiresAt!: Date;
}

export function toContactImportTicketModel(ticket: ContactImportTicket): ContactImportTicketModel {
  return {
    import: toContactImportModel({ record: ticket.record, reportUrl: null }),
    uploadUrl: ticket.uploadUrl,
    uploadExpiresAt: ticket.record.uploadExpiresAt,
  };
}

@InputType()
export class CreateContactImportInput {
  @Field(() => ID, { nullable: true, description: 'A static list the contacts are added to.' })
  listId?: string | null;
}
