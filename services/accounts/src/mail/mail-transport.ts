import { Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where mails go: SMTP, or the log in development. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

export class SmtpMailTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(url: string) {
    this.transporter = createTransport(url);
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail(mail);
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

/**
 * Development without SMTP_URL: mails are not sent, a line says one would have been. Neither
 * the address nor the content (one-time links) is logged; point SMTP_URL at a local catcher
 * to read them.
 */
export class LogMailTransport implements MailTransport {
  private readonly logger = new Logger('MailSender');

  async send(mail: OutgoingMail): Promise<void> {
    this.logger.log({ msg: 'SMTP_URL not set: mail not sent', subject: mail.subject });
  }

  async close(): Promise<void> {}
}
