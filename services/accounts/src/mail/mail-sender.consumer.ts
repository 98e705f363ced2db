import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { accountsV1, Topics } from '@switchboard/contracts';
import { OnEvent, optionalEventTenant, type ConsumedEvent } from '@switchboard/events';
import type { EntityManager } from 'typeorm';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import type { EmailTemplate } from '../events/accounts-events';
import { MAIL_TRANSPORT, type MailTransport } from './mail-transport';
import { renderMail } from './templates';

const templateOf: Partial<Record<accountsV1.EmailTemplate, EmailTemplate>> = {
  [accountsV1.EmailTemplate.VERIFY_EMAIL]: 'VERIFY_EMAIL',
  [accountsV1.EmailTemplate.PASSWORD_RESET]: 'PASSWORD_RESET',
  [accountsV1.EmailTemplate.INVITATION]: 'INVITATION',
  [accountsV1.EmailTemplate.ORGANIZATION_DELETION_SCHEDULED]: 'ORGANIZATION_DELETION_SCHEDULED',
  [accountsV1.EmailTemplate.SECURITY_ALERT]: 'SECURITY_ALERT',
};

/**
 * The mail sender: consumes `accounts.email.v1` and delivers each request over SMTP. The
 * consumer records the event id with the send (processed_events), so a redelivered request is
 * not sent again; a crash between the SMTP answer and the commit can send a mail twice
 * (at-least-once). SMTP trouble is retried with backoff; a permanent refusal (5xx), an unknown
 * template or a stale request (older than MAIL_MAX_AGE_SECONDS: its links have expired) is not.
 */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private readonly logger = new Logger(MailSender.name);

  constructor(
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly clock: Clock,
  ) {}

  @OnEvent(Topics.accounts.email)
  async onEmailRequested(
    event: ConsumedEvent<typeof accountsV1.EmailRequestedSchema>,
    _tx: EntityManager,
  ): Promise<void> {
    const request = event.message;
    // Mail is platform-level (a sign-up has no organization yet), but never cross-tenant.
    optionalEventTenant(event, request.orgId);
    const template = templateOf[request.template];
    if (!template || !request.to) {
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
    try {
      await this.transport.send({ from: this.config.MAIL_FROM, to: request.to, ...rendered });
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
    this.logger.debug({
      msg: 'mail handed to the transport',
      requestId: request.requestId,
      template,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}
