import {
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { PageInfo } from '@switchboard/service-kit';
import { SOURCES, type Source } from '../domain/suppression';
import { HISTORY_KINDS, type HistoryKind, type HistoryRecord } from './suppression.record';
import type { SuppressionPage, SuppressionView } from './suppression.service';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;

export const ConsentSourceEnum = enumOf(SOURCES);
registerEnumType(ConsentSourceEnum, {
  name: 'ConsentSource',
  description:
    'Where an opt-out, opt-in or consent came from. INBOUND_KEYWORD: STOP/START from the number. API: this API or an API token. GHL: GoHighLevel DND. LIST_IMPORT: a CSV upload. ADMIN: the owner (e.g. lifting a keyword opt-out). WEB_FORM: a documented opt-in form.',
});

export const SuppressionChangeEnum = enumOf(HISTORY_KINDS);
registerEnumType(SuppressionChangeEnum, {
  name: 'SuppressionChange',
  description: 'What a history entry records. HELP: a HELP/INFO keyword that was answered.',
});

@ObjectType({ description: 'One entry of a number’s opt-out and consent history (append-only).' })
export class SuppressionHistoryEntry {
  @Field(() => ID) id!: string;
  @Field(() => SuppressionChangeEnum) change!: HistoryKind;
  @Field(() => ConsentSourceEnum) source!: Source;
  @Field(() => String, { description: 'user, api_token, service...' }) actorType!: string;
  @Field(() => String) actorId!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true, description: 'The keyword, for inbound keywords.' })
  keyword!: string | null;
  @Field(() => String, { nullable: true, description: 'The inbound message of a keyword.' })
  messageId!: string | null;
  @Field(() => String, { nullable: true, description: 'Consent: the IP address it came from.' })
  ip!: string | null;
  @Field(() => String, { nullable: true, description: 'Consent: the text the person agreed to.' })
  consentText!: string | null;
  @Field(() => GraphQLISODateTime) occurredAt!: Date;
  @Field(() => GraphQLISODateTime) recordedAt!: Date;
}

@ObjectType({ description: 'What the organization may send to one number.' })
export class Suppression {
  @Field(() => String, { description: 'E.164.' }) phoneNumber!: string;
  @Field(() => Boolean, { description: 'No message but keyword replies may go to it.' })
  optedOut!: boolean;
  @Field(() => GraphQLISODateTime, { nullable: true }) optedOutChangedAt!: Date | null;
  @Field(() => ConsentSourceEnum, { nullable: true }) optOutSource!: Source | null;
  @Field(() => Boolean, { description: 'Consent to campaign messages is recorded.' })
  consent!: boolean;
  @Field(() => GraphQLISODateTime, { nullable: true }) consentChangedAt!: Date | null;
  @Field(() => ConsentSourceEnum, { nullable: true }) consentSource!: Source | null;
  @Field(() => Boolean, { description: 'GoHighLevel do-not-disturb.' }) dnd!: boolean;
  @Field(() => Int, { description: 'Increases with every change; 0: never recorded.' })
  version!: number;
  @Field(() => GraphQLISODateTime, { nullable: true }) updatedAt!: Date | null;
  /** Loaded with the number (`suppression`), or by the field resolver (lists). */
  history?: SuppressionHistoryEntry[];
}

@ObjectType()
export class SuppressionEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Suppression) node!: Suppression;
}

@ObjectType({ description: 'A page of numbers, newest change first.' })
export class SuppressionConnection {
  @Field(() => [SuppressionEdge]) edges!: SuppressionEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType({ description: 'Narrows a list of opted-out or consenting numbers.' })
export class SuppressionFilter {
  @Field(() => ConsentSourceEnum, { nullable: true }) source?: Source | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Changed at or after.' })
  since?: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Changed before.' })
  until?: Date | null;
  @Field(() => String, { nullable: true }) phoneNumber?: string | null;
}

@InputType({ description: 'Evidence of consent to campaign messages.' })
export class RecordConsentInput {
  @Field(() => String, { description: 'E.164.' }) phoneNumber!: string;
  @Field(() => ConsentSourceEnum, {
    defaultValue: 'API',
    description: 'API, WEB_FORM, LIST_IMPORT or ADMIN.',
  })
  source!: Source;
  @Field(() => String, { nullable: true, description: 'The IP address consent was given from.' })
  ip?: string | null;
  @Field(() => String, { description: 'The text the person was shown and agreed to.' })
  text!: string;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When; default: now.' })
  at?: Date | null;
}

export function toHistoryEntry(record: HistoryRecord): SuppressionHistoryEntry {
  return { ...record, change: record.kind };
}

export function toSuppression(view: SuppressionView): Suppression {
  return { ...view, history: view.history.map(toHistoryEntry) };
}

export function toSuppressionConnection(page: SuppressionPage): SuppressionConnection {
  return {
    edges: page.edges.map((e) => ({ cursor: e.cursor, node: { ...e.node } })),
    pageInfo: page.pageInfo,
  };
}
