/**
 * The topic catalog: every Kafka topic the platform uses, declared once. Topic names follow
 * `<service>.<stream>.v<major>`; each topic has a dead-letter sibling `<name>.dlq` and carries
 * exactly one protobuf message type (`schema`) from the package `switchboard.<service>.v<major>`
 * (proto/README.md). The dev broker and the chart's topic job create topics from this list;
 * services never rely on auto-creation.
 */
import type { DescMessage, DescOneof, MessageShape } from '@bufbuild/protobuf';
import { accountsV1, billingV1, complianceV1, devicesV1, messagingV1, testingV1 } from './gen';

export type TopicVisibility = 'public' | 'internal';
export type CleanupPolicy = 'delete' | 'compact';

export interface TopicSpec<S extends DescMessage = DescMessage> {
  /** `<service>.<stream>.v<major>` */
  readonly name: string;
  /** Dead-letter topic for messages that cannot be decoded or keep failing. */
  readonly dlq: string;
  /** What the record key is; it decides ordering. */
  readonly key: string;
  readonly partitions: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** Retention in milliseconds; -1 keeps records forever (compacted topics). */
  readonly retentionMs: number;
  /** Public topics are the partner contract; internal ones may change with the services. */
  readonly visibility: TopicVisibility;
  readonly description: string;
  /** The one message type of the topic's records: `fromBinary(topic.schema, value)`. */
  readonly schema: S;
  /**
   * True when records carry message bodies in a field not named `body`/`media_urls` (e.g. an
   * export's JSON items); such topics follow the body rule ({@link carriesMessageBodies}).
   */
  readonly carriesBodies?: boolean;
  /**
   * The CloudEvents `ce_type` values records of this topic may carry: the full protobuf names
   * of the concrete events, i.e. of the messages of the schema's oneof when the schema is an
   * envelope of several kinds of events (`switchboard.accounts.v1.OrganizationCreated`), else
   * the schema's own name (`switchboard.messaging.v1.MessageEvent`). See {@link ceTypeOf}.
   */
  readonly ceTypes: readonly string[];
}

const DAY = 24 * 60 * 60 * 1000;
/** Kafka's retention.ms = -1: records are never deleted by age. */
const FOREVER = -1;

/**
 * The shortest body retention an organization may choose (`RetentionPolicy.body_retention_days`
 * is refused below it). "No message body outlives the organization's retention anywhere, Kafka
 * included": every topic whose records carry message bodies (and its DLQ) keeps them at most
 * this long ({@link BODY_TOPIC_MAX_RETENTION_MS}); the catalog spec checks it.
 */
export const MIN_BODY_RETENTION_DAYS = 1;
export const BODY_TOPIC_MAX_RETENTION_MS = MIN_BODY_RETENTION_DAYS * DAY;

const BODY_FIELDS = new Set(['body', 'media_urls']);

/** Whether a message type has a body field (`body`, `media_urls`), at any depth. */
function hasBodyField(schema: DescMessage, seen = new Set<string>()): boolean {
  if (seen.has(schema.typeName)) return false;
  seen.add(schema.typeName);
  return schema.fields.some(
    (f) =>
      BODY_FIELDS.has(f.name) ||
      (f.fieldKind === 'message' && hasBodyField(f.message, seen)) ||
      (f.fieldKind === 'list' && f.listKind === 'message' && hasBodyField(f.message, seen)),
  );
}

/** Whether records of the topic may carry message bodies (then the body rule applies). */
export function carriesMessageBodies(spec: TopicSpec): boolean {
  return spec.carriesBodies === true || hasBodyField(spec.schema);
}

/**
 * The oneof that makes a topic's type an envelope of several kinds of events: its only
 * oneof, when every member is a message. Undefined for single-kind types.
 */
function eventOneof(schema: DescMessage): DescOneof | undefined {
  if (schema.oneofs.length !== 1) return undefined;
  const [oneof] = schema.oneofs;
  return oneof.fields.every((f) => f.fieldKind === 'message') ? oneof : undefined;
}

function topic<S extends DescMessage>(spec: Omit<TopicSpec<S>, 'dlq' | 'ceTypes'>): TopicSpec<S> {
  const match = /^([a-z][a-z-]*)\.[a-z][a-z-]*\.v(\d+)$/.exec(spec.name);
  if (!match) {
    throw new Error(`topic name ${spec.name} does not follow <service>.<stream>.v<major>`);
  }
  const pkg = `switchboard.${match[1].replace(/-/g, '_')}.v${match[2]}.`;
  if (!spec.schema.typeName.startsWith(pkg)) {
    throw new Error(`topic ${spec.name} carries ${spec.schema.typeName}, not a type of ${pkg}*`);
  }
  const oneof = eventOneof(spec.schema);
  const ceTypes = oneof
    ? oneof.fields.map((f) => (f.fieldKind === 'message' ? f.message.typeName : ''))
    : [spec.schema.typeName];
  return Object.freeze({
    ...spec,
    dlq: `${spec.name}.dlq`,
    ceTypes: Object.freeze(ceTypes),
  });
}

/**
 * The CloudEvents `ce_type` of one record: the full name of the message set in the schema's
 * event oneof, or the schema's own name for single-kind topics. Throws when an envelope has no
 * event set (a producer bug that consumers could not route).
 */
export function ceTypeOf<S extends DescMessage>(
  spec: TopicSpec<S>,
  event: MessageShape<S>,
): string {
  const oneof = eventOneof(spec.schema);
  if (!oneof) return spec.schema.typeName;
  const selected = (event as unknown as Record<string, { case?: string } | undefined>)[
    oneof.localName
  ]?.case;
  const field = oneof.fields.find((f) => f.localName === selected);
  if (field?.fieldKind !== 'message') {
    throw new Error(`${spec.name}: ${spec.schema.typeName}.${oneof.name} is not set`);
  }
  return field.message.typeName;
}

export const Topics = {
  accounts: {
    organization: topic({
      name: 'accounts.organization.v1',
      key: 'org id',
      partitions: 3,
      cleanupPolicy: 'delete',
      // Kept forever (few records): a new consumer group rebuilds its projection of every
      // organization from the whole stream (e.g. messaging's default countries).
      retentionMs: FOREVER,
      visibility: 'public',
      description:
        'Organizations (tenants): created, updated, deletion scheduled/canceled, deleted.',
      schema: accountsV1.OrganizationEventSchema,
    }),
    user: topic({
      name: 'accounts.user.v1',
      key: 'user id',
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 30 * DAY,
      visibility: 'internal',
      description: 'Users created and their memberships (roles) in organizations.',
      schema: accountsV1.UserEventSchema,
    }),
    apiToken: topic({
      name: 'accounts.api-token.v1',
      key: 'org id',
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 30 * DAY,
      visibility: 'internal',
      description: 'API tokens created and revoked (never the secret).',
      schema: accountsV1.ApiTokenEventSchema,
    }),
    email: topic({
      name: 'accounts.email.v1',
      key: 'SHA-256 (hex) of the lower-cased recipient address, or of "owners:" + org id',
      partitions: 3,
      cleanupPolicy: 'delete',
      // Short: template variables hold one-time links.
      retentionMs: 7 * DAY,
      visibility: 'internal',
      description: 'Transactional emails to send, for the mail sender.',
      schema: accountsV1.EmailRequestedSchema,
    }),
  },
  billing: {
    quota: topic({
      name: 'billing.quota.v1',
      key: 'org id',
      partitions: 3,
      // Compacted: the latest quota of every organization stays, so messaging rebuilds its
      // pre-send projection from the start of the topic.
      cleanupPolicy: 'compact',
      retentionMs: FOREVER,
      visibility: 'internal',
      description:
        "Each organization's remaining allowance, wallet balance and blocked flag, for the pre-send quota check.",
      schema: billingV1.QuotaStateSchema,
    }),
    walletAlert: topic({
      name: 'billing.wallet-alert.v1',
      key: 'org id',
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 30 * DAY,
      visibility: 'internal',
      description: 'Low-balance alerts: a wallet fell below its threshold.',
      schema: billingV1.LowBalanceAlertSchema,
    }),
  },
  compliance: {
    audit: topic({
      name: 'compliance.audit.v1',
      key: 'org id (target tenant; empty for platform-level actions)',
      partitions: 6,
      cleanupPolicy: 'delete',
      retentionMs: 90 * DAY,
      visibility: 'internal',
      description: 'Audit entries of every service, appended to the hash-chained audit log.',
      schema: complianceV1.AuditEventSchema,
    }),
    suppression: topic({
      name: 'compliance.suppression.v1',
      key: 'org id + ":" + E.164 number',
      partitions: 6,
      // Compacted: the latest state of every number stays, so messaging rebuilds its
      // suppression projection from the start of the topic.
      cleanupPolicy: 'compact',
      retentionMs: FOREVER,
      visibility: 'internal',
      description:
        'Opt-out, consent and DND state per organization and number, for the pre-send checks.',
      schema: complianceV1.SuppressionStateSchema,
    }),
    optOutRequest: topic({
      name: 'compliance.opt-out-request.v1',
      key: 'org id + ":" + E.164 number',
      partitions: 6,
      cleanupPolicy: 'delete',
      retentionMs: 7 * DAY,
      visibility: 'internal',
      description:
        "Another service's request to change a number's suppression state (ghl-sync: GHL's SMS DND), decided by compliance.",
      schema: complianceV1.OptOutRequestSchema,
    }),
    policy: topic({
      name: 'compliance.policy.v1',
      key: 'org id',
      partitions: 3,
      cleanupPolicy: 'compact',
      retentionMs: FOREVER,
      visibility: 'internal',
      description:
        "Each organization's compliance policy: quiet hours, consent requirement, retention.",
      schema: complianceV1.OrganizationPolicySchema,
    }),
    retentionReport: topic({
      name: 'compliance.retention-report.v1',
      key: 'org id (the service name for platform-level tables)',
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 30 * DAY,
      visibility: 'internal',
      description:
        'What each run of each retention job did, per organization, for retentionReport.',
      schema: complianceV1.RetentionReportSchema,
    }),
    privacyRequest: topic({
      name: 'compliance.privacy-request.v1',
      key: 'request id',
      partitions: 3,
      cleanupPolicy: 'delete',
      // Compliance re-publishes a request until every service answered.
      retentionMs: 7 * DAY,
      visibility: 'internal',
      description:
        'GDPR/CCPA export and erasure requests, for every service holding personal data.',
      schema: complianceV1.PrivacyRequestSchema,
    }),
    privacyReply: topic({
      name: 'compliance.privacy-reply.v1',
      key: 'request id',
      partitions: 6,
      cleanupPolicy: 'delete',
      // Export chunks carry message bodies (the body rule, MIN_BODY_RETENTION_DAYS).
      retentionMs: BODY_TOPIC_MAX_RETENTION_MS,
      carriesBodies: true,
      visibility: 'internal',
      description: "Each service's export chunks and its export/erasure confirmation.",
      schema: complianceV1.PrivacyReplySchema,
    }),
  },
  devices: {
    dispatch: topic({
      name: 'devices.dispatch.v1',
      key: 'message id',
      partitions: 12,
      cleanupPolicy: 'delete',
      // Short: dispatch commands carry message bodies (the body rule, MIN_BODY_RETENTION_DAYS).
      retentionMs: BODY_TOPIC_MAX_RETENTION_MS,
      visibility: 'internal',
      description: 'Commands from messaging to the device fleet: dispatch or cancel a message.',
      schema: devicesV1.DispatchCommandSchema,
    }),
    messageState: topic({
      name: 'devices.message-state.v1',
      key: 'message id',
      partitions: 12,
      cleanupPolicy: 'delete',
      retentionMs: 7 * DAY,
      visibility: 'internal',
      description: 'Outbound message states reported by devices (sent, delivered, failed...).',
      schema: devicesV1.MessageStateEventSchema,
    }),
    inbound: topic({
      name: 'devices.inbound.v1',
      key: 'org id',
      partitions: 12,
      cleanupPolicy: 'delete',
      // Short: records carry message bodies (the body rule, MIN_BODY_RETENTION_DAYS).
      retentionMs: BODY_TOPIC_MAX_RETENTION_MS,
      visibility: 'internal',
      description: 'SMS received by devices, for messaging.',
      schema: devicesV1.InboundMessageEventSchema,
    }),
    device: topic({
      name: 'devices.device.v1',
      key: 'device id',
      partitions: 3,
      cleanupPolicy: 'delete',
      // Kept forever (few records): messaging validates device ids against a projection that a
      // new consumer group rebuilds from the whole stream.
      retentionMs: FOREVER,
      visibility: 'public',
      description: 'Devices registered, updated, online/offline/disabled/quarantined, removed.',
      schema: devicesV1.DeviceEventSchema,
    }),
  },
  messaging: {
    message: topic({
      name: 'messaging.message.v1',
      key: 'message id',
      partitions: 12,
      cleanupPolicy: 'delete',
      // RECEIVED events carry the inbound body (the body rule, MIN_BODY_RETENTION_DAYS):
      // partners consume within a day or read the message through the API.
      retentionMs: BODY_TOPIC_MAX_RETENTION_MS,
      visibility: 'public',
      description: 'The message lifecycle: every status transition of every message.',
      schema: messagingV1.MessageEventSchema,
    }),
    send: topic({
      name: 'messaging.send.v1',
      key: 'org id + ":" + idempotency key',
      partitions: 12,
      cleanupPolicy: 'delete',
      // Short: records carry message bodies (the body rule); a command is handled in seconds.
      retentionMs: BODY_TOPIC_MAX_RETENTION_MS,
      visibility: 'internal',
      description:
        'Commands from other services (compliance replies, campaigns, GoHighLevel) to send one message.',
      schema: messagingV1.SendMessageCommandSchema,
    }),
  },
  testing: {
    /** Used by the platform's own tests of the broker and the event libraries. */
    probe: topic({
      name: 'testing.probe.v1',
      key: 'test-defined',
      partitions: 4,
      cleanupPolicy: 'delete',
      retentionMs: 1 * DAY,
      visibility: 'internal',
      description: 'Scratch topic for the platform tests.',
      schema: testingV1.ProbeSchema,
    }),
  },
} as const;

export const topicCatalog: readonly TopicSpec[] = Object.values(Topics).flatMap(
  (group): TopicSpec[] => Object.values(group),
);
