import { isFresh, parseAppWebhook, parseProviderOutboundMessage, smsDndOf } from './ghl-webhooks';

const at = '2026-11-29T12:00:00.000Z';

describe('GHL webhook bodies', () => {
  it('parses INSTALL, UNINSTALL and ContactDndUpdate, requiring webhookId and timestamp', () => {
    expect(
      parseAppWebhook({
        type: 'INSTALL',
        appId: 'a',
        companyId: 'c',
        locationId: 'l',
        webhookId: 'w',
        timestamp: at,
      }),
    ).toEqual({
      ok: true,
      value: {
        type: 'INSTALL',
        appId: 'a',
        companyId: 'c',
        locationId: 'l',
        webhookId: 'w',
        timestamp: new Date(at),
      },
    });
    expect(
      parseAppWebhook({ type: 'UNINSTALL', appId: 'a', webhookId: 'w', timestamp: at }),
    ).toMatchObject({ ok: false });
    expect(parseAppWebhook({ type: 'INSTALL', appId: 'a', companyId: 'c', timestamp: at })).toEqual(
      {
        ok: false,
        problem: 'webhookId is missing',
      },
    );
    expect(
      parseAppWebhook({ type: 'INSTALL', appId: 'a', companyId: 'c', webhookId: 'w' }),
    ).toMatchObject({ ok: false });
    expect(
      parseAppWebhook({
        type: 'ContactDndUpdate',
        locationId: 'l',
        id: 'c1',
        phone: '+14155550100',
        dnd: false,
        dndSettings: { SMS: { status: 'active' } },
        webhookId: 'w',
        timestamp: at,
      }),
    ).toMatchObject({ ok: true, value: { contactId: 'c1', smsDnd: true, phone: '+14155550100' } });
    expect(parseAppWebhook({ type: 'ContactCreate', webhookId: 'w', timestamp: at })).toMatchObject(
      {
        ok: true,
        value: { type: 'OTHER', eventType: 'ContactCreate' },
      },
    );
  });

  it('reads SMS DND from dndSettings first, then the dnd flag', () => {
    expect(smsDndOf({ dndSettings: { SMS: { status: 'permanent' } } })).toBe(true);
    expect(smsDndOf({ dnd: true, dndSettings: { SMS: { status: 'inactive' } } })).toBe(false);
    expect(smsDndOf({ dnd: true })).toBe(true);
    expect(smsDndOf({})).toBeUndefined();
  });

  it('accepts a timestamp within the tolerance either side', () => {
    const now = new Date(at);
    expect(isFresh(new Date(now.getTime() - 299_000), now, 300)).toBe(true);
    expect(isFresh(new Date(now.getTime() - 301_000), now, 300)).toBe(false);
    expect(isFresh(new Date(now.getTime() + 301_000), now, 300)).toBe(false);
  });

  it('parses the provider outbound message (SMS only, a text or attachments)', () => {
    const base = {
      messageId: 'm',
      locationId: 'l',
      contactId: 'c',
      phone: '+14155550100',
      type: 'SMS',
    };
    expect(
      parseProviderOutboundMessage({ ...base, message: 'Hi', attachments: ['https://x/a.png'] }),
    ).toEqual({
      ok: true,
      value: {
        ...base,
        type: undefined,
        message: 'Hi',
        attachments: ['https://x/a.png'],
        userId: undefined,
      },
    });
    expect(parseProviderOutboundMessage({ ...base, type: 'Email', message: 'Hi' })).toMatchObject({
      ok: false,
    });
    expect(parseProviderOutboundMessage({ ...base })).toMatchObject({ ok: false });
    expect(parseProviderOutboundMessage({ ...base, phone: undefined, message: 'x' })).toMatchObject(
      { ok: false },
    );
  });
});
