// GoHighLevel end to end: an owner installs the app on a GHL location (OAuth through the local
// GHL), GHL's provider webhook asks for an SMS, a (simulated) SMSGate phone delivers it and GHL
// sees `pending` then `delivered`; a STOP from the contact sets the contact's SMS DND in GHL;
// a DND set in GHL makes the next GHL send REJECTED (GHL sees `failed`). The local GHL checks
// every request against GHL's OpenAPI specs.
import { randomUUID } from 'node:crypto';
import { stackDir, type GraphQLClient } from '@switchboard/testing';
import { startE2eGhl } from '../services/ghl-sync/test/support/ghl-e2e';
import type { GhlTestServer } from '../services/ghl-sync/test/support/ghl-test-server';
import { platform } from './platform';
import { customer, until } from './support';
import { enrollPhone, stopPhones, type EnrollOptions } from './phones';

/** Quick phones: 20 ms to send, 20 ms to be delivered. */
const PHONE: EnrollOptions = { name: 'ghl phone', sendDelayMs: 20, deliveryDelayMs: 20 };

const p = platform();
let ghl: GhlTestServer;

beforeAll(async () => {
  ghl = await startE2eGhl(stackDir());
});

afterAll(async () => {
  await stopPhones();
  await ghl?.stop();
});

afterEach(() => {
  expect(ghl.problems).toEqual([]);
});

/** The owner installs the app on one location: the authorize link, GHL's code, the callback. */
async function install(api: GraphQLClient): Promise<string> {
  const locationId = `loc-${randomUUID().slice(0, 8)}`;
  const { ghlInstallLink } = await api.expectData<{ ghlInstallLink: { url: string } }>(
    'mutation { ghlInstallLink { url } }',
  );
  const state = new URL(ghlInstallLink.url).searchParams.get('state') ?? '';
  const code = ghl.authorizationCode({
    userType: 'Location',
    companyId: 'co-e2e',
    locationIds: [locationId],
  });
  const done = await fetch(
    `${p.url('ghl-sync')}/ghl/oauth/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
  );
  expect([done.status, done.status === 200 ? '' : await done.text()]).toEqual([200, '']);
  return locationId;
}

/** A GHL user's SMS: GHL posts it to the provider's Delivery URL, signed. */
async function ghlSends(locationId: string, phoneNumber: string, text: string) {
  const message = ghl.addOutboundMessage(locationId, `contact-${phoneNumber}`);
  const raw = JSON.stringify({
    contactId: `contact-${phoneNumber}`,
    locationId,
    messageId: message.id,
    type: 'SMS',
    phone: phoneNumber,
    message: text,
    attachments: [],
    userId: 'ghl-user-1',
  });
  const response = await fetch(`${p.url('ghl-sync')}/ghl/webhooks/provider`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-ghl-signature': ghl.sign(raw) },
    body: raw,
  });
  expect(response.status).toBe(200);
  return message;
}

describe('GoHighLevel as a conversation provider', () => {
  it('a GHL SMS is delivered by the phone and GHL sees pending, then delivered; STOP sets DND in GHL', async () => {
    const { api } = await customer('ghl');
    const { device } = await enrollPhone(api, PHONE);
    const locationId = await install(api);
    const { ghlInstallations } = await api.expectData<{
      ghlInstallations: { locationId: string; status: string }[];
    }>('{ ghlInstallations { locationId status } }');
    expect(ghlInstallations).toEqual([{ locationId, status: 'ACTIVE' }]);

    const contact = '+14155550161';
    const message = await ghlSends(locationId, contact, 'Your table is ready.');
    await until(
      'GHL to see delivered',
      async () => message.statuses.at(-1)?.status === 'delivered',
      60_000,
    );
    expect(message.statuses.map((s) => s.status)).toEqual(['pending', 'delivered']);
    const { messages } = await api.expectData<{
      messages: { edges: { node: { ghlMessageId: string | null; status: string } }[] };
    }>(
      `query($to: String) { messages(filter: { direction: OUTBOUND, to: $to }, first: 5) { edges { node { ghlMessageId status } } } }`,
      { to: contact },
    );
    expect(messages.edges.map((e) => e.node)).toEqual([
      { ghlMessageId: message.id, status: 'DELIVERED' },
    ]);

    // The contact answers STOP on the phone: GHL's contact gets SMS DND.
    await device.receive(contact, 'STOP');
    await until(
      'the contact to be DND in GHL',
      async () =>
        [...ghl.contacts.values()].find((c) => c.phone === contact)?.dndSettings?.SMS?.status ===
        'active',
      60_000,
    );
  });

  it('a DND set in GHL makes the next GHL send REJECTED, and GHL sees it failed', async () => {
    const { api } = await customer('ghl-dnd');
    await enrollPhone(api, PHONE);
    const locationId = await install(api);
    const contact = '+14155550162';
    const raw = JSON.stringify({
      type: 'ContactDndUpdate',
      locationId,
      id: `contact-${contact}`,
      phone: contact,
      dnd: true,
      dndSettings: { SMS: { status: 'active', message: 'set in GHL' } },
      webhookId: randomUUID(),
      timestamp: new Date().toISOString(),
    });
    const hook = await fetch(`${p.url('ghl-sync')}/ghl/webhooks/app`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ghl-signature': ghl.sign(raw) },
      body: raw,
    });
    expect(hook.status).toBe(200);
    await until('compliance to record the DND', async () => {
      const { suppression } = await api.expectData<{ suppression: { dnd: boolean } }>(
        'query($n: String!) { suppression(phoneNumber: $n) { dnd } }',
        { n: contact },
      );
      return suppression.dnd;
    });
    // Messaging's projection follows compliance.suppression.v1: the first send after it is refused.
    const refused = await until(
      'a GHL send to be REJECTED DND',
      async () => {
        const message = await ghlSends(locationId, contact, 'Special offer!');
        const last = await until(
          'GHL to get a final status',
          async () => message.statuses.find((s) => s.status !== 'pending'),
          30_000,
        );
        return last.status === 'failed' ? last : undefined;
      },
      60_000,
    );
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'DND', type: 'saas' } });
  });
});
