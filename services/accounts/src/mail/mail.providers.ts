import type { Provider } from '@nestjs/common';
import type { AccountsConfig } from '../config';
import { MailSender } from './mail-sender.consumer';
import {
  LogMailTransport,
  MAIL_TRANSPORT,
  SmtpMailTransport,
  type MailTransport,
} from './mail-transport';

/** The mail sender (a consumer of accounts.email.v1) and its transport: SMTP, or the log. */
export function mailProviders(config: AccountsConfig, transport?: MailTransport): Provider[] {
  return [
    {
      provide: MAIL_TRANSPORT,
      useFactory: () =>
        transport ??
        (config.SMTP_URL ? new SmtpMailTransport(config.SMTP_URL) : new LogMailTransport()),
    },
    MailSender,
  ];
}
