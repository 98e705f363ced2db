// The audit event messaging emits when a user cancels a message (compliance.audit.v1, through
// the outbox in the transaction of the change); a refused cancel records nothing.
import { randomUUID } from 'node:crypto';
import { commonV1, complianceV1, Topics } from '@switchboard/contracts';
import { EventWatcher, type GraphQLClient } from '@switchboard/testing';
import { CANCEL, send, type MessageView } from './support/messaging-api';
import {
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

let stack: MessagingStack;
let app: RunningApp;
let audit: EventWatcher<typeof complianceV1.AuditEventSchema>;
const org = randomUUID();
let alice: GraphQLClient;

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack);
  audit = await EventWatcher.start(Topics.compliance.audit, stack.broker.brokers);
  alice = app.gql(await stack.tokens.user(org));
});

afterAll(async () => {
  await audit?.stop();
  await app?.close();
  await stack?.stop();
});

it('records who canceled which message, and nothing for a refused cancel', async () => {
  const message = await send(alice, { to: '+14155550123', body: 'cancel me' });
  const { cancelMessage } = await alice.expectData<{ cancelMessage: MessageView }>(CANCEL, {
    id: message.id,
  });
  expect(cancelMessage.status).toBe('CANCELED');
  const entry = await audit.waitFor(
    (e) => e.message.action === 'message.cancel' && e.message.resourceId === message.id,
  );
  expect(entry.key).toBe(org);
  expect(entry.headers.ce_orgid).toBe(org);
  expect(entry.message).toMatchObject({
    orgId: org,
    actor: { type: commonV1.ActorType.USER, orgId: org },
    resourceType: 'message',
    outcome: complianceV1.AuditOutcome.SUCCESS,
    sourceService: 'messaging',
    metadata: { status: message.status },
  });
  // The body and the number never go into the audit log.
  expect(JSON.stringify(entry.message.metadata)).not.toMatch(/cancel me|4155550123/);

  // Canceling again changes nothing and records nothing; an unknown message neither.
  await alice.expectData(CANCEL, { id: message.id });
  expect(await alice.errorCodes(CANCEL, { id: randomUUID() })).toEqual(['MESSAGE_NOT_FOUND']);
  const marker = await send(alice, { to: '+14155550123', body: 'marker' });
  await alice.expectData(CANCEL, { id: marker.id });
  await audit.waitFor((e) => e.message.resourceId === marker.id);
  expect(audit.events.filter((e) => e.message.orgId === org)).toHaveLength(2);
});

it('records a platform admin reading the messages of an organization, with the reason', async () => {
  const message = await send(alice, { to: '+14155550123', body: 'seen by support' });
  const admin = app.gql(await stack.tokens.user(randomUUID(), 'ADMIN'));
  const query = `query($orgId: ID!, $reason: String) {
    adminMessages(orgId: $orgId, reason: $reason) { nodes { id } } }`;
  expect(await admin.errorCodes(query, { orgId: org })).toEqual(['REASON_REQUIRED']);
  expect(await alice.errorCodes(query, { orgId: org, reason: 'curious' })).toEqual(['FORBIDDEN']);
  const { adminMessages } = await admin.expectData<{ adminMessages: { nodes: { id: string }[] } }>(
    query,
    { orgId: org, reason: 'support ticket 9' },
  );
  expect(adminMessages.nodes.map((m) => m.id)).toContain(message.id);
  const read = await audit.waitFor(
    (e) => e.message.orgId === org && e.message.action === 'message.list',
  );
  expect(read.message).toMatchObject({
    privileged: true,
    reason: 'support ticket 9',
    resourceType: 'message',
    outcome: complianceV1.AuditOutcome.SUCCESS,
    sourceService: 'messaging',
  });
});
