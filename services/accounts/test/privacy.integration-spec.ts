// Accounts' part of privacy requests: a member's erasure (their own request) removes their
// sessions and membership and anonymizes the account; the organization's only owner is kept,
// stated as a legal hold; an export never carries a password or token hash.
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { complianceV1, Topics } from '@switchboard/contracts';
import { cloudEventRecord, EventWatcher, stackSetting } from '@switchboard/testing';
import {
  addMember,
  asSuperuser,
  signUp,
  startAccounts,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

let accounts: AccountsUnderTest;
let producer: Producer;
let replies: EventWatcher<typeof complianceV1.PrivacyReplySchema>;
let owner: AuthPayload;
let member: AuthPayload;

async function request(
  kind: complianceV1.PrivacyRequestKind,
  userId: string,
): Promise<complianceV1.PrivacyReply> {
  const requestId = randomUUID();
  const orgId = owner.organization.id;
  const event = create(complianceV1.PrivacyRequestSchema, {
    requestId,
    orgId,
    kind,
    subject: { kind: complianceV1.PrivacySubjectKind.USER, userId },
  });
  await producer.send({
    topic: Topics.compliance.privacyRequest.name,
    messages: [
      cloudEventRecord(Topics.compliance.privacyRequest, requestId, event, {
        orgId: orgId,
        service: 'compliance',
      }),
    ],
  });
  const done = await replies.waitFor(
    (e) =>
      e.message.requestId === requestId &&
      e.message.service === 'accounts' &&
      (e.message.reply.case === 'erasureDone' || e.message.reply.case === 'exportDone'),
  );
  return done.message;
}

const itemsOf = (requestId: string) =>
  replies.events
    .filter((e) => e.message.requestId === requestId && e.message.reply.case === 'exportChunk')
    .flatMap((e) => (e.message.reply.value as complianceV1.PrivacyExportChunk).items);

beforeAll(async () => {
  accounts = await startAccounts({ env: { PRIVACY_WORKER_INTERVAL_MS: '100' } });
  owner = await signUp(accounts);
  member = await addMember(accounts, owner, 'USER');
  producer = new Kafka({
    clientId: 'accounts-privacy-test',
    brokers: stackSetting('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  replies = await EventWatcher.start(Topics.compliance.privacyReply);
});

afterAll(async () => {
  await replies?.stop();
  await producer?.disconnect();
  await accounts?.stop();
});

describe('accounts privacy', () => {
  it('exports a member’s account, never a hash', async () => {
    const done = await request(complianceV1.PrivacyRequestKind.EXPORT, member.user.id);
    const items = itemsOf(done.requestId).join('\n');
    expect(items).toContain(member.user.email);
    expect(items).not.toContain(owner.user.email);
    expect(items).not.toMatch(/\$2[aby]\$|password_hash|token_hash/);
    expect(done.reply.value).toMatchObject({ counts: { members: 1n, sessions: 1n } });
  });

  it('erases a member: sessions and membership gone, the account anonymized', async () => {
    const done = await request(complianceV1.PrivacyRequestKind.ERASURE, member.user.id);
    expect(done.reply.value).toMatchObject({
      counts: { memberships_deleted: 1n, accounts_anonymized: 1n },
      legalHolds: [],
    });
    const [user] = await asSuperuser<{
      email: string;
      display_name: string;
      password_hash: string | null;
    }>(accounts.db, 'SELECT email, display_name, password_hash FROM users WHERE id = $1', [
      member.user.id,
    ]);
    expect(user.email).toMatch(/^erased-.*@erased\.invalid$/);
    expect(user).toMatchObject({ display_name: '', password_hash: null });
    expect(
      await asSuperuser(
        accounts.db,
        `SELECT 1 FROM memberships WHERE user_id = $1 UNION ALL SELECT 1 FROM sessions WHERE user_id = $1`,
        [member.user.id],
      ),
    ).toEqual([]);
    // The old email is nowhere in the database.
    const tables = await asSuperuser<{ name: string }>(
      accounts.db,
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'outbox'`,
    );
    for (const { name } of tables) {
      const found = await asSuperuser(
        accounts.db,
        `SELECT 1 FROM "${name}" t WHERE t::text LIKE $1`,
        [`%${member.user.email}%`],
      );
      expect({ name, found }).toEqual({ name, found: [] });
    }
  });

  it('keeps the only owner, and says why', async () => {
    const done = await request(complianceV1.PrivacyRequestKind.ERASURE, owner.user.id);
    expect(done.reply.value).toMatchObject({
      legalHolds: [expect.objectContaining({ count: 1n })],
    });
    expect(
      await asSuperuser(accounts.db, `SELECT 1 FROM memberships WHERE user_id = $1`, [
        owner.user.id,
      ]),
    ).toHaveLength(1);
  });
});
