import {
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import type { PrivacyRequestView } from './privacy-requests.service';

export const PrivacySubjectKindEnum = {
  USER: 'USER',
  ORGANIZATION: 'ORGANIZATION',
  PHONE_NUMBER: 'PHONE_NUMBER',
} as const;
registerEnumType(PrivacySubjectKindEnum, {
  name: 'PrivacySubjectKind',
  description:
    'Whose data: a USER of the organization, the whole ORGANIZATION, or a PHONE_NUMBER (a recipient or sender of its messages).',
});

export const PrivacyRequestKindEnum = { EXPORT: 'EXPORT', ERASURE: 'ERASURE' } as const;
registerEnumType(PrivacyRequestKindEnum, { name: 'PrivacyRequestKind' });

export const PrivacyRequestStatusEnum = { PENDING: 'PENDING', COMPLETED: 'COMPLETED' } as const;
registerEnumType(PrivacyRequestStatusEnum, {
  name: 'PrivacyRequestStatus',
  description: 'PENDING until every service has answered; then COMPLETED.',
});

@InputType({ description: 'The data subject of a privacy request.' })
export class PrivacySubjectInput {
  @Field(() => PrivacySubjectKindEnum)
  kind!: keyof typeof PrivacySubjectKindEnum;

  @Field(() => ID, { nullable: true, description: 'USER: the user (default: yourself).' })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: 'PHONE_NUMBER: E.164.' })
  phoneNumber?: string | null;
}

@ObjectType({ description: 'The subject of a privacy request.' })
export class PrivacySubject {
  @Field(() => PrivacySubjectKindEnum) kind!: keyof typeof PrivacySubjectKindEnum;
  @Field(() => ID, { nullable: true }) userId!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'E.164; after an erasure only the last two digits are kept.',
  })
  phoneNumber!: string | null;
}

@ObjectType({ description: 'Data a service keeps although its erasure could be asked, and why.' })
export class LegalHold {
  @Field(() => String) data!: string;
  @Field(() => String) reason!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'One count of a service’s answer, e.g. messages_anonymized = 12.' })
export class PrivacyCount {
  @Field(() => String) name!: string;
  @Field(() => Int) value!: number;
}

@ObjectType({ description: 'One service’s part of a privacy request.' })
export class PrivacyParticipant {
  @Field(() => String) service!: string;
  @Field(() => Boolean, { description: 'The service has carried out its part and confirmed.' })
  confirmed!: boolean;
  @Field(() => GraphQLISODateTime, { nullable: true }) confirmedAt!: Date | null;
  @Field(() => [PrivacyCount]) counts!: PrivacyCount[];
  @Field(() => [LegalHold]) legalHolds!: LegalHold[];
}

@ObjectType({ description: 'A GDPR/CCPA export or erasure request.' })
export class PrivacyRequest {
  @Field(() => ID) id!: string;
  @Field(() => PrivacyRequestKindEnum) kind!: keyof typeof PrivacyRequestKindEnum;
  @Field(() => PrivacySubject) subject!: PrivacySubject;
  @Field(() => PrivacyRequestStatusEnum) status!: keyof typeof PrivacyRequestStatusEnum;
  @Field(() => GraphQLISODateTime) requestedAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) completedAt!: Date | null;
  @Field(() => [PrivacyParticipant], { description: 'Every service that must answer.' })
  participants!: PrivacyParticipant[];
  @Field(() => String, {
    nullable: true,
    description:
      'A completed export: a signed link to the JSON document through the public entry point, valid until expiresAt.',
  })
  downloadUrl!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) expiresAt!: Date | null;
}

export function toPrivacyRequest(view: PrivacyRequestView): PrivacyRequest {
  const { request, participants } = view;
  const s = request.subject;
  return {
    id: request.id,
    kind: request.kind,
    subject: {
      kind: s.kind,
      userId: s.kind === 'USER' ? s.userId : null,
      phoneNumber: s.kind === 'PHONE_NUMBER' ? s.phoneNumber : null,
    },
    status: request.status,
    requestedAt: request.requestedAt,
    completedAt: request.completedAt,
    participants: participants.map((p) => ({
      service: p.service,
      confirmed: p.doneAt !== null,
      confirmedAt: p.doneAt,
      counts: Object.entries(p.counts)
        .map(([name, value]) => ({ name, value }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      legalHolds: p.legalHolds,
    })),
    downloadUrl: view.downloadUrl,
    expiresAt: request.expiresAt,
  };
}
