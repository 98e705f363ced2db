import { Field, GraphQLISODateTime, ID, InputType, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '@switchboard/service-kit';
import { MetadataScalar } from '../common/metadata.scalar';
import type { Page } from '../common/page';
import type { OptInEvidence } from '../domain/contact-import';
import type { ContactRecord } from './contact.record';

@ObjectType('OptIn', { description: 'Evidence of a contact’s opt-in (as given; not checked).' })
export class OptInModel {
  @Field(() => String, { nullable: true, description: 'Where it came from (a form, a shop…).' })
  source!: string | null;

  @Field(() => String, { nullable: true, description: 'The IP address it was given from.' })
  ip!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  at!: Date | null;

  @Field(() => String, { nullable: true, description: 'The wording the person agreed to.' })
  text!: string | null;
}

@ObjectType('Contact', { description: 'A person the organization messages: one per number.' })
export class ContactModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'E.164.' })
  phoneNumber!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => MetadataScalar, {
    description: 'The organization’s own key/values (template placeholders, segments).',
  })
  attributes!: Record<string, string>;

  @Field(() => OptInModel, { nullable: true })
  optIn!: OptInModel | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;
}

export function toContactModel(record: ContactRecord): ContactModel {
  return {
    id: record.id,
    phoneNumber: record.phoneNumber,
    name: record.name,
    attributes: record.attributes,
    optIn: record.optIn,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

@ObjectType()
export class ContactEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => ContactModel)
  node!: ContactModel;
}

@ObjectType({ description: 'Contacts as a Relay connection.' })
export class ContactConnection {
  @Field(() => [ContactEdge])
  edges!: ContactEdge[];

  @Field(() => [ContactModel])
  nodes!: ContactModel[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

export function toContactConnection(page: Page<ContactRecord>): ContactConnection {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: toContactModel(e.node) }));
  return { edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo };
}

@InputType()
export class OptInInput {
  @Field(() => String, { nullable: true })
  source?: string | null;

  @Field(() => String, { nullable: true })
  ip?: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  at?: Date | null;

  @Field(() => String, { nullable: true })
  text?: string | null;
}

export function optInOf(input: OptInInput | null | undefined): OptInEvidence | null | undefined {
  if (input === undefined) return undefined;
  if (input === null) return null;
  return {
    source: input.source ?? null,
    ip: input.ip ?? null,
    at: input.at ?? null,
    text: input.text ?? null,
  };
}

@InputType()
export class CreateContactInput {
  @Field(() => String, { description: 'E.164 or national format in the organization’s country.' })
  phoneNumber!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => MetadataScalar, { nullable: true })
  attributes?: Record<string, string> | null;

  @Field(() => OptInInput, { nullable: true })
  optIn?: OptInInput | null;
}

@InputType({ description: 'What to change; a field left out stays, null clears it.' })
export class UpdateContactInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => MetadataScalar, { nullable: true, description: 'Replaces all attributes.' })
  attributes?: Record<string, string> | null;

  @Field(() => OptInInput, { nullable: true })
  optIn?: OptInInput | null;
}

@InputType()
export class ContactsFilter {
  @Field(() => String, { nullable: true, description: 'One number (any format).' })
  phoneNumber?: string | null;

  @Field(() => MetadataScalar, {
    nullable: true,
    description: 'Contacts whose attributes hold all these key/values.',
  })
  attributes?: Record<string, string> | null;
}
