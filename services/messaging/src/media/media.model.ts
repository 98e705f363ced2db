import { Field, GraphQLISODateTime, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { MediaRecord, MediaStatus } from './media.record';

export const MessageMediaStatusEnum = {
  PENDING: 'PENDING',
  STORED: 'STORED',
  FAILED: 'FAILED',
} as const;
registerEnumType(MessageMediaStatusEnum, {
  name: 'MessageMediaStatus',
  description:
    'PENDING: being fetched. STORED: kept by us (storedUrl). FAILED: not kept (error says why: FORBIDDEN_ADDRESS, TOO_LARGE, UNSUPPORTED_TYPE, UNREACHABLE, HTTP_ERROR, TOO_MANY_REDIRECTS).',
});

@ObjectType('MessageMedia', {
  description:
    "A medium of an inbound MMS: the sender's URL and, once fetched, our copy (kept as long as the body's retention allows).",
})
export class MessageMediaModel {
  @Field(() => Int, { description: 'Its place in the message (0-based, as in mediaUrls).' })
  position!: number;

  @Field({ description: 'Where the carrier (or phone) said it is.' })
  url!: string;

  @Field(() => MessageMediaStatusEnum)
  status!: MediaStatus;

  @Field(() => String, { nullable: true, description: 'Content type of the stored copy.' })
  contentType!: string | null;

  @Field(() => Int, { nullable: true, description: 'Bytes of the stored copy.' })
  size!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A short-lived signed link to the stored copy (MEDIA_LINK_TTL_SECONDS; no session needed), null unless STORED.',
  })
  storedUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it is not stored (FAILED).' })
  error!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  fetchedAt!: Date | null;
}

export function toMessageMediaModel(
  record: MediaRecord,
  link: (record: MediaRecord) => string,
): MessageMediaModel {
  return {
    position: record.position,
    url: record.url,
    status: record.status,
    contentType: record.contentType,
    size: record.size,
    storedUrl: record.status === 'STORED' ? link(record) : null,
    error: record.error,
    fetchedAt: record.fetchedAt,
  };
}
