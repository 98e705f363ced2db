import {
  Field,
  GraphQLISODateTime,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { TRANSACTIONAL_ACTIONS, type TransactionalAction } from '../domain/policy';
import { DEFAULT_REPLIES } from '../domain/replies';
import type { PolicyRecord } from './policy.record';

export const TransactionalActionEnum = Object.fromEntries(
  TRANSACTIONAL_ACTIONS.map((v) => [v, v]),
) as Record<TransactionalAction, TransactionalAction>;
registerEnumType(TransactionalActionEnum, {
  name: 'QuietHoursTransactionalAction',
  description:
    'What happens to a transactional message outside the window. SEND: sent anyway (OTPs, alerts). REFUSE: REJECTED with QUIET_HOURS. HOLD: held until the window opens.',
});

@ObjectType({ description: "The sending window, in the recipient's local time." })
export class QuietHours {
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Int, { description: 'Minutes after local midnight (480 = 08:00).' })
  windowStartMinute!: number;
  @Field(() => Int, { description: 'Minutes after local midnight (1260 = 21:00), exclusive.' })
  windowEndMinute!: number;
  @Field(() => TransactionalActionEnum) transactionalAction!: TransactionalAction;
  @Field(() => Boolean, { description: "Also the stricter windows of the recipient's state." })
  applyStateRules!: boolean;
}

@ObjectType({ description: 'How long each kind of data is kept.' })
export class RetentionSettings {
  @Field(() => Int, {
    description: 'Message bodies are redacted this many days after their final status (1–90).',
  })
  bodyRetentionDays!: number;
  @Field(() => Int, { description: 'Message metadata is purged after this many months (1–24).' })
  metadataRetentionMonths!: number;
  @Field(() => Int, { description: 'Audit log entries are kept this many days (1–2555, 7 years).' })
  auditRetentionDays!: number;
  @Field(() => Int, { description: 'Delivery and request logs are kept this many days (1–365).' })
  requestLogRetentionDays!: number;
}

@ObjectType({
  description:
    "Texts of the keyword replies; {{organization}} becomes the organization's name. Null: the default.",
})
export class KeywordReplies {
  @Field(() => String, { nullable: true, description: `Default: "${DEFAULT_REPLIES.OPT_OUT}"` })
  stop!: string | null;
  @Field(() => String, { nullable: true, description: `Default: "${DEFAULT_REPLIES.OPT_IN}"` })
  start!: string | null;
  @Field(() => String, { nullable: true, description: `Default: "${DEFAULT_REPLIES.HELP}"` })
  help!: string | null;
}

@ObjectType({ description: "The organization's compliance settings." })
export class CompliancePolicy {
  @Field(() => QuietHours) quietHours!: QuietHours;
  @Field(() => Boolean, { description: 'Campaign messages only to numbers with recorded consent.' })
  consentRequiredForCampaigns!: boolean;
  @Field(() => RetentionSettings) retention!: RetentionSettings;
  @Field(() => KeywordReplies) replies!: KeywordReplies;
  @Field(() => Int, { description: 'Increases with every change.' }) version!: number;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

@InputType({
  description:
    'The settings to change; omitted ones stay. A reply set to "" returns to the default.',
})
export class UpdateCompliancePolicyInput {
  @Field(() => Boolean, { nullable: true }) quietHoursEnabled?: boolean | null;
  @Field(() => Int, { nullable: true }) windowStartMinute?: number | null;
  @Field(() => Int, { nullable: true }) windowEndMinute?: number | null;
  @Field(() => TransactionalActionEnum, { nullable: true })
  transactionalAction?: TransactionalAction | null;
  @Field(() => Boolean, { nullable: true }) applyStateRules?: boolean | null;
  @Field(() => Boolean, { nullable: true }) consentRequiredForCampaigns?: boolean | null;
  @Field(() => Int, { nullable: true }) bodyRetentionDays?: number | null;
  @Field(() => Int, { nullable: true }) metadataRetentionMonths?: number | null;
  @Field(() => Int, { nullable: true }) auditRetentionDays?: number | null;
  @Field(() => Int, { nullable: true }) requestLogRetentionDays?: number | null;
  @Field(() => String, { nullable: true }) stopReply?: string | null;
  @Field(() => String, { nullable: true }) startReply?: string | null;
  @Field(() => String, { nullable: true }) helpReply?: string | null;
}

export function toCompliancePolicy(record: PolicyRecord): CompliancePolicy {
  return {
    quietHours: {
      enabled: record.quietHoursEnabled,
      windowStartMinute: record.windowStartMinute,
      windowEndMinute: record.windowEndMinute,
      transactionalAction: record.transactionalAction,
      applyStateRules: record.applyStateRules,
    },
    consentRequiredForCampaigns: record.consentRequiredForCampaigns,
    retention: {
      bodyRetentionDays: record.bodyRetentionDays,
      metadataRetentionMonths: record.metadataRetentionMonths,
      auditRetentionDays: record.auditRetentionDays,
      requestLogRetentionDays: record.requestLogRetentionDays,
    },
    replies: { stop: record.stopReply, start: record.startReply, help: record.helpReply },
    version: record.version,
    updatedAt: record.updatedAt,
  };
}
