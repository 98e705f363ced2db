import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  InputType,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { PageInfo } from '@switchboard/service-kit';
import { MetadataScalar } from '../common/metadata.scalar';
import type { Page } from '../common/page';
import type { ContactListKind, ContactListRecord } from './contact-list.record';

export const ContactListKindEnum = { STATIC: 'STATIC', SEGMENT: 'SEGMENT' } as const;
registerEnumType(ContactListKindEnum, {
  name: 'ContactListKind',
  description: 'STATIC (members added by import or by hand), SEGMENT (an attribute filter).',
});

@ObjectType('ContactList', { description: 'A static list of contacts, or a segment.' })
export class ContactListModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ContactListKindEnum)
  kind!: ContactListKind;

  @Field(() => MetadataScalar, {
    nullable: true,
    description: 'A segment’s filter: contacts whose attributes hold all these key/values.',
  })
  filter!: Record<string, string> | null;

  @Field(() => Float, { description: 'Members now (a counter: cheap at any size).' })
  memberCount!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;
}

export function toContactListModel(record: ContactListRecord): ContactListModel {
  return {
    id: record.id,
    name: record.name,
    kind: record.kind,
    filter: record.filter ? { ...record.filter } : null,
    memberCount: record.memberCount,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

@ObjectType()
export class ContactListEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => ContactListModel)
  node!: ContactListModel;
}

@ObjectType({ description: 'Lists as a Relay connection, newest first.' })
export class ContactListConnection {
  @Field(() => [ContactListEdge])
  edges!: ContactListEdge[];

  @Field(() => [ContactListModel])
  nodes!: ContactListModel[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

export function toContactListConnection(page: Page<ContactListRecord>): ContactListConnection {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: toContactListModel(e.node) }));
  return { edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo };
}

@InputType()
export class CreateContactListInput {
  @Field(() => String)
  name!: string;

  @Field(() => MetadataScalar, {
    nullable: true,
    description: 'Makes it a segment: contacts whose attributes hold all these (1–10) key/values.',
  })
  filter?: Record<string, string> | null;
}
