import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import type { Page } from '../common/page';
import { PageInfo } from '@switchboard/service-kit';
import type { ConversationRecord } from './conversation.record';

@ObjectType('Conversation', {
  description: 'The thread of one contact with one of our numbers / device SIMs.',
})
export class ConversationModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "The contact's number (E.164, or an alphanumeric sender)." })
  contactNumber!: string;

  @Field(() => String, { nullable: true, description: 'Our number, when known.' })
  ourNumber!: string | null;

  @Field(() => ID, { nullable: true })
  deviceId!: string | null;

  @Field(() => Int, { nullable: true })
  simNumber!: number | null;

  @Field(() => Int)
  messageCount!: number;

  @Field(() => Int, { description: 'Inbound messages since it was last marked read.' })
  unreadCount!: number;

  @Field(() => GraphQLISODateTime)
  lastMessageAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastReadAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  /** Not fields. */
  orgId!: string;
  lastMessageId!: string | null;
}

export function toConversationModel(record: ConversationRecord): ConversationModel {
  return {
    id: record.id,
    orgId: record.orgId,
    contactNumber: record.contactNumber,
    ourNumber: record.ourNumber,
    deviceId: record.deviceId,
    simNumber: record.simNumber,
    messageCount: record.messageCount,
    unreadCount: record.unreadCount,
    lastMessageAt: record.lastMessageAt,
    lastReadAt: record.lastReadAt,
    createdAt: record.createdAt,
    lastMessageId: record.lastMessageId,
  };
}

@ObjectType()
export class ConversationEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => ConversationModel)
  node!: ConversationModel;
}

@ObjectType({ description: 'Conversations, most recent activity first.' })
export class ConversationConnection {
  @Field(() => [ConversationEdge])
  edges!: ConversationEdge[];

  @Field(() => [ConversationModel])
  nodes!: ConversationModel[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

export function toConversationConnection(page: Page<ConversationRecord>): ConversationConnection {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: toConversationModel(e.node) }));
  return { edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo };
}

@InputType()
export class ConversationsFilter {
  @Field(() => String, { nullable: true })
  contactNumber?: string | null;

  @Field(() => ID, { nullable: true })
  deviceId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only conversations with unread messages.' })
  unreadOnly?: boolean | null;
}
