import { decideOnInbound, newInboundMessage } from './inbound-message';

describe('inbound messages', () => {
  it.each([
    ['an active organization', { status: 'ACTIVE' }, false, { action: 'store' }],
    [
      'a suspended organization (suspension stops sending only)',
      { status: 'SUSPENDED' },
      false,
      { action: 'store' },
    ],
    [
      'a closed organization',
      { status: 'DELETION_SCHEDULED' },
      false,
      { action: 'drop', reason: 'organization-closed' },
    ],
    [
      'a deleted organization',
      { status: 'DELETED' },
      false,
      { action: 'drop', reason: 'organization-closed' },
    ],
    ['a purged organization', undefined, true, { action: 'drop', reason: 'organization-purged' }],
    [
      'an organization not known yet',
      undefined,
      false,
      { action: 'drop', reason: 'organization-unknown' },
    ],
  ])('%s', (_what, organization, purged, decision) => {
    expect(decideOnInbound(organization, purged)).toEqual(decision);
  });

  it('keeps the SMS of an organization not known yet when a device of it vouches for it, never a closed one', () => {
    expect(decideOnInbound(undefined, false, { vouched: true })).toEqual({ action: 'store' });
    expect(decideOnInbound(undefined, true, { vouched: true })).toEqual({
      action: 'drop',
      reason: 'organization-purged',
    });
    expect(decideOnInbound({ status: 'DELETED' }, false, { vouched: true })).toEqual({
      action: 'drop',
      reason: 'organization-closed',
    });
  });

  it('is RECEIVED on the device route, its events still to come', () => {
    const now = new Date('2030-01-01T12:00:00Z');
    const receivedAt = new Date('2030-01-01T11:59:58Z');
    expect(
      newInboundMessage(
        {
          id: 'm1',
          orgId: 'o1',
          deviceId: 'd1',
          deviceMessageId: 'sms-1',
          from: '+14155550123',
          to: null,
          body: 'Yes',
          encoding: 'GSM7',
          segments: 1,
          simNumber: 2,
          receivedAt,
        },
        now,
      ),
    ).toMatchObject({
      direction: 'INBOUND',
      status: 'RECEIVED',
      route: 'DEVICE',
      fromNumber: '+14155550123',
      deviceId: 'd1',
      simNumber: 2,
      deviceMessageId: 'sms-1',
      eventSequence: 0,
      createdAt: now,
      receivedAt,
    });
  });

  it('keeps an MMS told apart: its media URLs, or its notification facts when the phone kept it', () => {
    const now = new Date('2030-01-01T12:00:00Z');
    const sms = {
      id: 'm2',
      orgId: 'o1',
      deviceId: 'd1',
      deviceMessageId: 'mms-1',
      from: '+14155550123',
      to: null,
      body: 'Photo attachment',
      encoding: 'GSM7' as const,
      segments: 1,
      simNumber: 1,
      receivedAt: now,
    };
    expect(
      newInboundMessage(
        { ...sms, mms: { mediaUrls: [], size: 125_684, contentClass: 'IMAGE_BASIC' } },
        now,
      ),
    ).toMatchObject({
      body: 'Photo attachment',
      mediaUrls: [],
      metadata: { mms: 'true', mmsSize: '125684', mmsContentClass: 'IMAGE_BASIC' },
    });
    expect(
      newInboundMessage(
        { ...sms, mms: { mediaUrls: ['https://m.example/1.jpg'], size: 0, contentClass: '' } },
        now,
      ),
    ).toMatchObject({ mediaUrls: ['https://m.example/1.jpg'], metadata: { mms: 'true' } });
    expect(newInboundMessage(sms, now)).toMatchObject({ mediaUrls: [], metadata: {} });
  });
});
