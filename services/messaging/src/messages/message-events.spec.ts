import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { commonV1, messagingV1 } from '@switchboard/contracts';
import { sendRequestOfCommand } from './message-events';

type CommandInit = MessageInitShape<typeof messagingV1.SendMessageCommandSchema>;

const command = (over: Record<string, unknown> = {}) =>
  create(messagingV1.SendMessageCommandSchema, {
    orgId: '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d',
    idempotencyKey: 'compliance-reply:1',
    to: '+14155550123',
    body: 'You are unsubscribed.',
    ...over,
  } as CommandInit);

describe('sendRequestOfCommand', () => {
  it('maps a command to the send request of sendMessage, empty strings as absent', () => {
    const validUntil = new Date('2030-01-01T00:00:00Z');
    const { request, actor } = sendRequestOfCommand(
      command({
        purpose: messagingV1.SendPurpose.COMPLIANCE_REPLY,
        replyToMessageId: '00000000-0000-4000-8000-0000000000b1',
        validUntil: timestampFromDate(validUntil),
        metadata: { source: 'stop' },
        requestedBy: { type: commonV1.ActorType.SERVICE, id: 'compliance' },
      }),
    );
    expect(request).toEqual({
      to: '+14155550123',
      from: null,
      body: 'You are unsubscribed.',
      idempotencyKey: 'compliance-reply:1',
      validUntil,
      metadata: { source: 'stop' },
      campaignId: null,
      purpose: 'COMPLIANCE_REPLY',
      replyToMessageId: '00000000-0000-4000-8000-0000000000b1',
    });
    expect(actor).toEqual({ kind: 'service', id: 'compliance' });
  });

  it('carries the GHL message id of a ghl-sync command (absent otherwise)', () => {
    expect(sendRequestOfCommand(command({ ghlMessageId: 'ghl-m1' })).request.ghlMessageId).toBe(
      'ghl-m1',
    );
    expect(sendRequestOfCommand(command()).request).not.toHaveProperty('ghlMessageId');
  });

  it('carries a sender route and its fallback (absent otherwise: the routes decide)', () => {
    const routeId = '00000000-0000-4000-8000-0000000000c1';
    expect(sendRequestOfCommand(command({ routeId, routeFallback: true })).request).toMatchObject({
      routeId,
      routeFallback: true,
    });
    expect(sendRequestOfCommand(command({ routeId })).request.routeFallback).toBe(false);
    expect(sendRequestOfCommand(command()).request).not.toHaveProperty('routeId');
  });

  it('carries a priority the command sets, 0 included (absent otherwise: the default)', () => {
    expect(sendRequestOfCommand(command({ priority: 70 })).request.priority).toBe(70);
    expect(sendRequestOfCommand(command({ priority: 0 })).request.priority).toBe(0);
    expect(sendRequestOfCommand(command()).request).not.toHaveProperty('priority');
  });

  it('an unspecified purpose is CAMPAIGN for a campaign message, TRANSACTIONAL otherwise', () => {
    expect(sendRequestOfCommand(command()).request.purpose).toBe('TRANSACTIONAL');
    expect(
      sendRequestOfCommand(command({ campaignId: '00000000-0000-4000-8000-0000000000c1' })).request
        .purpose,
    ).toBe('CAMPAIGN');
  });

  it('the actor of a user keeps its organization; none without requested_by', () => {
    expect(
      sendRequestOfCommand(
        command({ requestedBy: { type: commonV1.ActorType.USER, id: 'u1', orgId: 'o1' } }),
      ).actor,
    ).toEqual({ kind: 'user', id: 'u1', orgId: 'o1' });
    expect(sendRequestOfCommand(command()).actor).toBeUndefined();
  });
});
