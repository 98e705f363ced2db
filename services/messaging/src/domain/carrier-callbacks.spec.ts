import {
  decideOnCarrierReport,
  readTelnyxEvent,
  readTwilioInbound,
  readTwilioStatusCallback,
} from './carrier-callbacks';

const telnyx = (eventType: string, payload: Record<string, unknown>, id = 'evt-1') => ({
  data: {
    event_type: eventType,
    id,
    occurred_at: '2026-11-29T10:00:00.000Z',
    payload: { id: 'msg-1', ...payload },
    record_type: 'event',
  },
  meta: { attempt: 1, delivered_to: 'https://x/hook' },
});

describe('carrier callbacks', () => {
  it('reads a Twilio delivered status callback', () => {
    expect(
      readTwilioStatusCallback({
        MessageSid: 'SM1',
        MessageStatus: 'delivered',
        AccountSid: 'AC1',
      }),
    ).toEqual({
      kind: 'status',
      externalId: 'SM1',
      status: 'DELIVERED',
      error: null,
      dedupeKey: 'twilio:SM1:delivered',
      at: null,
    });
  });

  it('reads a Twilio undelivered callback with its error code, normalized', () => {
    const report = readTwilioStatusCallback({
      MessageSid: 'SM1',
      MessageStatus: 'undelivered',
      ErrorCode: '30007',
    });
    expect(report).toMatchObject({
      status: 'FAILED',
      error: { code: 'FILTERED', rawCode: '30007', retryableOnAnotherRoute: true },
    });
  });

  it('ignores Twilio callbacks without a sid or a known status', () => {
    expect(readTwilioStatusCallback({ MessageStatus: 'sent' }).kind).toBe('ignored');
    expect(readTwilioStatusCallback({ MessageSid: 'SM1', MessageStatus: 'receiving' }).kind).toBe(
      'ignored',
    );
  });

  it('reads a Twilio inbound MMS (media up to NumMedia)', () => {
    expect(
      readTwilioInbound({
        MessageSid: 'SM9',
        From: '+15005550006',
        To: '+15005550001',
        Body: 'hi',
        NumMedia: '2',
        MediaUrl0: 'https://m/0',
        MediaUrl1: 'https://m/1',
        MediaUrl2: 'https://m/2',
      }),
    ).toEqual({
      kind: 'inbound',
      externalId: 'SM9',
      from: '+15005550006',
      to: '+15005550001',
      body: 'hi',
      mediaUrls: ['https://m/0', 'https://m/1'],
      dedupeKey: 'twilio:SM9:received',
      at: null,
    });
    expect(readTwilioInbound({ MessageSid: 'SM9', From: '+1' }).kind).toBe('ignored');
  });

  it('reads Telnyx message.received, message.sent and message.finalized', () => {
    expect(
      readTelnyxEvent(
        telnyx('message.received', {
          from: { phone_number: '+15005550006' },
          to: [{ phone_number: '+15005550001', status: 'webhook_delivered' }],
          text: 'yo',
          media: [{ url: 'https://m/a' }],
        }),
      ),
    ).toEqual({
      kind: 'inbound',
      externalId: 'msg-1',
      from: '+15005550006',
      to: '+15005550001',
      body: 'yo',
      mediaUrls: ['https://m/a'],
      dedupeKey: 'telnyx:evt-1',
      at: new Date('2026-11-29T10:00:00.000Z'),
    });
    expect(
      readTelnyxEvent(telnyx('message.finalized', { to: [{ status: 'delivered' }] }, 'e2')),
    ).toMatchObject({ kind: 'status', status: 'DELIVERED', error: null, dedupeKey: 'telnyx:e2' });
    expect(
      readTelnyxEvent(
        telnyx('message.finalized', {
          to: [{ status: 'delivery_failed' }],
          errors: [{ code: '40300', title: 'Blocked due to STOP message' }],
        }),
      ),
    ).toMatchObject({
      status: 'FAILED',
      error: { code: 'OPTED_OUT', rawCode: '40300', retryableOnAnotherRoute: false },
    });
  });

  it('ignores other Telnyx events and malformed bodies', () => {
    expect(readTelnyxEvent(telnyx('call.initiated', {})).kind).toBe('ignored');
    expect(readTelnyxEvent({}).kind).toBe('ignored');
    expect(readTelnyxEvent(null).kind).toBe('ignored');
  });

  describe('decideOnCarrierReport', () => {
    const sent = { status: 'SENT' as const, timestamps: { sentAt: new Date() } };

    it('moves SENT to DELIVERED', () => {
      expect(decideOnCarrierReport(sent, { status: 'DELIVERED', error: null }, 'TWILIO')).toEqual({
        action: 'record',
        reported: 'DELIVERED',
        statusChanged: true,
      });
    });

    it('hands a failure to failover with its error (a default one when the carrier gave none)', () => {
      expect(
        decideOnCarrierReport(sent, { status: 'FAILED', error: null }, 'TELNYX'),
      ).toMatchObject({
        action: 'failed',
        error: { code: 'CARRIER_ERROR', rawCode: null },
      });
    });

    it('never moves backwards: SENT after DELIVERED is late (stamped), FAILED after DELIVERED ignored', () => {
      const delivered = { status: 'DELIVERED' as const, timestamps: {} };
      expect(decideOnCarrierReport(delivered, { status: 'SENT', error: null }, 'TWILIO')).toEqual({
        action: 'record',
        reported: 'SENT',
        statusChanged: false,
      });
      expect(
        decideOnCarrierReport(
          { status: 'DELIVERED', timestamps: { sentAt: new Date() } },
          { status: 'SENT', error: null },
          'TWILIO',
        ),
      ).toEqual({ action: 'ignore' });
      expect(decideOnCarrierReport(delivered, { status: 'FAILED', error: null }, 'TWILIO')).toEqual(
        {
          action: 'ignore',
        },
      );
    });

    it('ignores QUEUED reports and duplicates', () => {
      expect(decideOnCarrierReport(sent, { status: 'QUEUED', error: null }, 'TWILIO')).toEqual({
        action: 'ignore',
      });
      expect(decideOnCarrierReport(sent, { status: 'SENT', error: null }, 'TWILIO')).toEqual({
        action: 'ignore',
      });
    });
  });
});
