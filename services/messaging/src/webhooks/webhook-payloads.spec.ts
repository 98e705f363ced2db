import { campaignProgressWebhook, type CampaignProgressSnapshot } from './webhook-payloads';

describe('campaignProgressWebhook', () => {
  const snapshot: CampaignProgressSnapshot = {
    orgId: '00000000-0000-4000-8000-000000000001',
    campaignId: '00000000-0000-4000-8000-000000000002',
    status: 'RUNNING',
    recipientsTotal: 1000,
    messagesCreated: 300,
    messagesRejected: 1,
    sendErrors: 0,
    messagesSent: 250,
    messagesDelivered: 200,
    messagesFailed: 0,
    messagesExpired: 0,
    rateNow: 150,
    plannedRatePerMinute: 150,
    etaSeconds: 280,
    eta: '2026-01-01T00:04:40.000Z',
  };
  const at = new Date('2026-01-01T00:00:00Z');

  it('carries the counters and the live figures', () => {
    const body = JSON.parse(campaignProgressWebhook(snapshot, at).body) as {
      data: Record<string, unknown>;
    };
    expect(body.data).toMatchObject({ messagesCreated: 300, rateNow: 150, etaSeconds: 280 });
    expect(body.data.orgId).toBeUndefined();
  });

  it('keys the event by the counters: the same progress read later (another ETA) is one event', () => {
    const later = { ...snapshot, rateNow: 140, etaSeconds: 270, eta: '2026-01-01T00:04:45.000Z' };
    expect(campaignProgressWebhook(later, at).eventId).toBe(
      campaignProgressWebhook(snapshot, at).eventId,
    );
    expect(campaignProgressWebhook({ ...snapshot, messagesCreated: 301 }, at).eventId).not.toBe(
      campaignProgressWebhook(snapshot, at).eventId,
    );
  });
});
