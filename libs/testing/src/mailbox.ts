// A real SMTP server for tests (the `smtp-server` package): the service delivers over SMTP with
// nodemailer, exactly as in production, and tests read what arrived.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
}

export class Mailbox {
  readonly mails: ReceivedMail[] = [];
  private readonly server: SMTPServer;

  /** `spoolDir`: also write each mail there, for readers in other processes (MailSpool). */
  constructor(private readonly spoolDir?: string) {
    if (spoolDir) mkdirSync(spoolDir, { recursive: true });
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const mail = {
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            raw: Buffer.concat(chunks).toString('utf8'),
          };
          this.mails.push(mail);
          if (this.spoolDir) {
            const name = `${String(this.mails.length).padStart(6, '0')}.json`;
            writeFileSync(join(this.spoolDir, name), JSON.stringify(mail));
          }
          callback();
        });
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The first mail to `address` whose raw text matches `pattern`, waiting for it. */
  waitFor(address: string, pattern: RegExp, timeoutMs = 20_000): Promise<ReceivedMail> {
    return waitForMail(() => this.mails, address, pattern, timeoutMs);
  }

  /** The token of the first link to `path` in the newest matching mail. */
  linkToken(address: string, path: string, timeoutMs?: number): Promise<string> {
    return linkTokenOf(this, address, path, timeoutMs);
  }
}

/** Reads the mails a Mailbox in another process spooled to `dir`. */
export class MailSpool {
  constructor(private readonly dir: string) {}

  mails(): ReceivedMail[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir)
        .filter((n) => n.endsWith('.json'))
        .sort();
    } catch {
      return [];
    }
    return names.map((n) => JSON.parse(readFileSync(join(this.dir, n), 'utf8')) as ReceivedMail);
  }

  waitFor(address: string, pattern: RegExp, timeoutMs = 20_000): Promise<ReceivedMail> {
    return waitForMail(() => this.mails(), address, pattern, timeoutMs);
  }

  linkToken(address: string, path: string, timeoutMs?: number): Promise<string> {
    return linkTokenOf(this, address, path, timeoutMs);
  }
}

async function waitForMail(
  mails: () => ReceivedMail[],
  address: string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = mails().find(
      (m) => m.to.includes(address.toLowerCase()) && pattern.test(decoded(m.raw)),
    );
    if (mail) return mail;
    if (Date.now() > deadline) {
      throw new Error(`no mail to ${address} matching ${pattern} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function linkTokenOf(
  box: Pick<Mailbox, 'waitFor'>,
  address: string,
  path: string,
  timeoutMs?: number,
): Promise<string> {
  const mail = await box.waitFor(address, new RegExp(`${path}\\?token=`), timeoutMs);
  const match = new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(decoded(mail.raw));
  if (!match) throw new Error(`no ${path} link in the mail`);
  return match[1];
}

/** Undoes quoted-printable soft line breaks and =XX escapes, enough to read links. */
function decoded(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
