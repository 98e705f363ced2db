import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { accountsV1, Topics } from '@switchboard/contracts';
import {
  enterEventTenant,
  OnEvent,
  optionalEventTenant,
  type ConsumedEvent,
} from '@switchboard/events';
import type { EntityManager } from 'typeorm';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import type { EmailTemplate } from '../events/accounts-events';
import { MAIL_TRANSPORT, type MailTransport } from './mail-transport';
import { MembershipsService } from '../organizations/memberships.service';
import { renderMail } from './templates';

const templateOf: Partial<Record<accountsV1.EmailTemplate, EmailTemplate>> = {
  [accountsV1.EmailTemplate.VERIFY_EMAIL]: 'VERIFY_EMAIL',
  [accountsV1.EmailTemplate.PASSWORD_RESET]: 'PASSWORD_RESET',
  [accountsV1.EmailTemplate.INVITATION]: 'INVITATION',
  [accountsV1.EmailTemplate.ORGANIZATION_DELETION_SCHEDULED]: 'ORGANIZATION_DELETION_SCHEDULED',
  [accountsV1.EmailTemplate.SECURITY_ALERT]: 'SECURITY_ALERT',
  [accountsV1.EmailTemplate.DATA_EXPORT_READY]: 'DATA_EXPORT_READY',
  [accountsV1.EmailTemplate.WEBHOOK_ENDPOINT_DISABLED]: 'WEBHOOK_ENDPOINT_DISABLED',
  [accountsV1.EmailTemplate.LOW_BALANCE]: 'LOW_BALANCE',
  [accountsV1.EmailTemplate.OWNER_NOTICE]: 'OWNER_NOTICE',
};

/**
 * The mail sender: consumes `accounts.email.v1` and delivers each request over SMTP. The
 * consumer records the event id with the send (processed_events), so a redelivered request is
 * not sent again; a crash between the SMTP answer and the commit can send a mail twice
 * (at-least-once). SMTP trouble is retried with backoff; a permanent refusal (5xx), an unknown
 * template or a stale request (older than MAIL_MAX_AGE_SECONDS: its links have expired) is not.
 * A request `to_organization_owners` goes to the organization's owners as they are when it is
 * sent (one mail each); an organization without owners (closed and purged) gets none.
 */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private readonly logger = new Logger(MailSender.name);

  constructor(
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly clock: Clock,
    private readonly memberships: MembershipsService,
  ) {}

  @OnEvent(Topics.accounts.email)
  async onEmailRequested(
    event: ConsumedEvent<typeof accountsV1.EmailRequestedSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const request = event.message;
    // Mail is platform-level (a sign-up has no organization yet), but never cross-tenant.
    optionalEventTenant(event, request.orgId);
    const template = templateOf[request.template];
    const toOwners = request.toOrganizationOwners && !request.to;
    if (!template || (!request.to && !toOwners) || (toOwners && !request.orgId)) {
      throw new AccountsException(
        AccountsErrorCode.INVALID_INPUT,
        `mail request ${request.requestId}: no template or recipient`,
      );
    }
    const age = event.time ? (this.clock.now().getTime() - event.time.getTime()) / 1000 : 0;
    if (age > this.config.MAIL_MAX_AGE_SECONDS) {
      this.logger.warn({
        msg: 'stale mail request dropped',
        requestId: request.requestId,
        ageSeconds: Math.round(age),
      });
      return;
    }
    const rendered = renderMail(template, request.variables);
    const recipients = toOwners ? await this.owners(tx, event) : [request.to];
    for (const to of recipients) await this.deliver(to, rendered);
    this.logger.debug({
      msg: 'mail handed to the transport',
      requestId: request.requestId,
      template,
      recipients: recipients.length,
    });
  }

  /** The owners' addresses of the event's organization (its tenant entered on `tx`). */
  private async owners(tx: EntityManager, event: ConsumedEvent): Promise<string[]> {
    const orgId = await enterEventTenant(tx, event);
    const members = await this.memberships.members(tx, orgId);
    return members.filter((m) => m.role === 'CUSTOMER').map((m) => m.user.email);
  }

  private async deliver(to: string, rendered: ReturnType<typeof renderMail>): Promise<void> {
    try {
      await this.transport.send({ from: this.config.MAIL_FROM, to, ...rendered });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      if (code && code >= 500 && code < 600) {
        throw new AccountsException(
          AccountsErrorCode.INVALID_INPUT,
          `SMTP refused the mail (${code})`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}
