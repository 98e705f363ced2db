import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { accountsV1, Topics } from '@switchboard/contracts';
import { OutboxWriter, type AuditRecord } from '@switchboard/events';
import type { Tx } from '../common/db-context';
import type { MemberRole } from '../domain/role-rules';
import type { OrganizationStatus } from '../domain/organization-rules';
import type { OrganizationRecord } from '../organizations/organization.record';
import type { UserRecord } from '../identity/user.record';

const statusOf: Record<OrganizationStatus, accountsV1.OrganizationStatus> = {
  ACTIVE: accountsV1.OrganizationStatus.ACTIVE,
  PENDING_DELETION: accountsV1.OrganizationStatus.DELETION_SCHEDULED,
  DELETED: accountsV1.OrganizationStatus.DELETED,
};

const roleOf = (role: MemberRole | 'ADMIN' | undefined): accountsV1.Role =>
  role === 'CUSTOMER'
    ? accountsV1.Role.CUSTOMER
    : role === 'USER'
      ? accountsV1.Role.USER
      : role === 'ADMIN'
        ? accountsV1.Role.ADMIN
        : accountsV1.Role.UNSPECIFIED;

export type EmailTemplate =
  | 'VERIFY_EMAIL'
  | 'PASSWORD_RESET'
  | 'INVITATION'
  | 'ORGANIZATION_DELETION_SCHEDULED'
  | 'SECURITY_ALERT'
  | 'DATA_EXPORT_READY'
  | 'WEBHOOK_ENDPOINT_DISABLED'
  | 'LOW_BALANCE'
  | 'OWNER_NOTICE';

type OrganizationEventInit = NonNullable<
  MessageInitShape<typeof accountsV1.OrganizationEventSchema>['event']
>;
type UserEventInit = NonNullable<MessageInitShape<typeof accountsV1.UserEventSchema>['event']>;

/** The organization as events carry it. */
function organizationMessage(org: OrganizationRecord) {
  return {
    orgId: org.id,
    slug: org.slug,
    name: org.name,
    timezone: org.timezone,
    status: statusOf[org.status],
    createdAt: timestampFromDate(org.createdAt),
    defaultCountry: org.defaultCountry,
  };
}

/**
 * Every event the accounts service publishes, written to the outbox inside the caller's
 * transaction (so an event exists exactly when its state change committed).
 */
@Injectable()
export class AccountsEvents {
  constructor(private readonly outbox: OutboxWriter) {}

  organizationCreated(tx: Tx, org: OrganizationRecord, at: Date) {
    return this.organization(tx, org.id, at, {
      case: 'created',
      value: { organization: organizationMessage(org) },
    });
  }

  organizationUpdated(tx: Tx, org: OrganizationRecord, changedFields: string[], at: Date) {
    return this.organization(tx, org.id, at, {
      case: 'updated',
      value: { organization: organizationMessage(org), changedFields },
    });
  }

  deletionScheduled(tx: Tx, org: OrganizationRecord, at: Date) {
    return this.organization(tx, org.id, at, {
      case: 'deletionScheduled',
      value: { purgeAt: timestampFromDate(org.purgeAt!) },
    });
  }

  deletionCanceled(tx: Tx, org: OrganizationRecord, at: Date) {
    return this.organization(tx, org.id, at, {
      case: 'deletionCanceled',
      value: { status: statusOf[org.status] },
    });
  }

  organizationDeleted(tx: Tx, org: OrganizationRecord, at: Date) {
    return this.organization(tx, org.id, at, { case: 'deleted', value: { slug: org.slug } });
  }

  userCreated(tx: Tx, user: UserRecord, at: Date) {
    return this.user(tx, user.id, at, undefined, {
      case: 'userCreated',
      value: {
        email: user.email,
        displayName: user.displayName,
        emailVerified: Boolean(user.emailVerifiedAt),
      },
    });
  }

  userDeleted(tx: Tx, userId: string, reason: string, at: Date) {
    return this.user(tx, userId, at, undefined, { case: 'userDeleted', value: { reason } });
  }

  membershipChanged(
    tx: Tx,
    change: {
      userId: string;
      orgId: string;
      kind: 'ADDED' | 'ROLE_CHANGED' | 'REMOVED';
      role?: MemberRole;
      previousRole?: MemberRole;
    },
    at: Date,
  ) {
    return this.user(tx, change.userId, at, change.orgId, {
      case: 'membershipChanged',
      value: {
        orgId: change.orgId,
        change: accountsV1.MembershipChange[change.kind],
        role: roleOf(change.role),
        previousRole: roleOf(change.previousRole),
      },
    });
  }

  apiTokenCreated(
    tx: Tx,
    token: {
      id: string;
      orgId: string;
      name: string;
      scopes: readonly string[];
      prefix: string;
      createdBy: string;
      expiresAt: Date | null;
    },
    at: Date,
  ) {
    return this.outbox.add(tx, {
      topic: Topics.accounts.apiToken,
      key: token.orgId,
      subject: token.id,
      orgId: token.orgId,
      time: at,
      event: {
        orgId: token.orgId,
        tokenId: token.id,
        occurredAt: timestampFromDate(at),
        event: {
          case: 'created',
          value: {
            name: token.name,
            scopes: [...token.scopes],
            prefix: token.prefix,
            createdByUserId: token.createdBy,
            expiresAt: token.expiresAt ? timestampFromDate(token.expiresAt) : undefined,
          },
        },
      },
    });
  }

  apiTokenRevoked(
    tx: Tx,
    token: { id: string; orgId: string },
    revokedBy: string | undefined,
    reason: string,
    at: Date,
  ) {
    return this.outbox.add(tx, {
      topic: Topics.accounts.apiToken,
      key: token.orgId,
      subject: token.id,
      orgId: token.orgId,
      time: at,
      event: {
        orgId: token.orgId,
        tokenId: token.id,
        occurredAt: timestampFromDate(at),
        event: { case: 'revoked', value: { revokedByUserId: revokedBy ?? '', reason } },
      },
    });
  }

  /** A transactional email for the mail sender. Keyed by a hash of the address, not the address. */
  emailRequested(
    tx: Tx,
    mail: {
      to: string;
      orgId?: string;
      template: EmailTemplate;
      variables: Record<string, string>;
    },
  ) {
    const requestId = randomUUID();
    return this.outbox.add(tx, {
      topic: Topics.accounts.email,
      key: createHash('sha256').update(mail.to.toLowerCase()).digest('hex'),
      subject: requestId,
      orgId: mail.orgId,
      id: requestId,
      event: {
        requestId,
        orgId: mail.orgId ?? '',
        to: mail.to,
        template: accountsV1.EmailTemplate[mail.template],
        variables: mail.variables,
        locale: 'en',
      },
    });
  }

  /** An audit log entry, to compliance.audit.v1, keyed by the target organization (libs/events). */
  audit(tx: Pick<Tx, 'query'>, entry: AuditRecord) {
    return this.outbox.audit(tx, entry);
  }

  private organization(tx: Tx, orgId: string, at: Date, event: OrganizationEventInit) {
    return this.outbox.add(tx, {
      topic: Topics.accounts.organization,
      key: orgId,
      orgId,
      time: at,
      event: { orgId, occurredAt: timestampFromDate(at), event },
    });
  }

  private user(tx: Tx, userId: string, at: Date, orgId: string | undefined, event: UserEventInit) {
    return this.outbox.add(tx, {
      topic: Topics.accounts.user,
      key: userId,
      orgId,
      time: at,
      event: { userId, occurredAt: timestampFromDate(at), event },
    });
  }
}
