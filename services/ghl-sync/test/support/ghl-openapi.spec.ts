// The local GHL server's request checks are GHL's specs: what they refuse, the tests refuse.
import { GhlOpenApi } from './ghl-openapi';

const api = new GhlOpenApi();
const conversations = { version: '2021-04-15' };
const json = 'application/json';
const status = (headers: Record<string, string>, body: unknown) =>
  api.validate({
    method: 'PUT',
    path: '/conversations/messages/m1/status',
    headers,
    query: {},
    contentType: json,
    body,
  });

describe('GHL OpenAPI request checks', () => {
  it('accepts the status updates the provider sends', () => {
    expect(status(conversations, { status: 'delivered' })).toEqual([]);
    expect(status(conversations, { status: 'pending' })).toEqual([]);
    expect(
      status(conversations, {
        status: 'failed',
        error: { code: 'DEVICE_OFFLINE', type: 'saas', message: 'no device' },
      }),
    ).toEqual([]);
  });

  it('refuses a `sent` status, a missing Version header, an error without its fields', () => {
    expect(status(conversations, { status: 'sent' }).join()).toMatch(/allowed values/);
    expect(status({}, { status: 'delivered' }).join()).toMatch(/Version is required/);
    expect(status({ version: '2021-07-28' }, { status: 'delivered' }).join()).toMatch(/Version/);
    expect(status(conversations, { status: 'failed', error: { code: '1' } }).join()).toMatch(
      /must have required property 'type'/,
    );
  });

  it('refuses an inbound message without its required fields, and undeclared fields', () => {
    const inbound = (body: unknown) =>
      api.validate({
        method: 'POST',
        path: '/conversations/messages/inbound',
        headers: conversations,
        query: {},
        contentType: json,
        body,
      });
    expect(
      inbound({
        type: 'SMS',
        conversationId: 'cv',
        contactId: 'c',
        conversationProviderId: 'p',
        altId: 'a',
        message: 'hi',
      }),
    ).toEqual([]);
    expect(inbound({ type: 'SMS', contactId: 'c', conversationProviderId: 'p' }).join()).toMatch(
      /conversationId/,
    );
    expect(
      inbound({
        type: 'SMS',
        conversationId: 'cv',
        contactId: 'c',
        conversationProviderId: 'p',
        phone: '+1',
      }).join(),
    ).toMatch(/field phone is not in the spec/);
  });

  it('checks OAuth forms, query parameters and contact bodies (shared schemas)', () => {
    expect(
      api.validate({
        method: 'POST',
        path: '/oauth/token',
        headers: {},
        query: {},
        contentType: 'application/x-www-form-urlencoded',
        body: {
          client_id: 'a',
          client_secret: 'b',
          grant_type: 'refresh_token',
          refresh_token: 'r',
          user_type: 'Location',
        },
      }),
    ).toEqual([]);
    expect(
      api
        .validate({
          method: 'POST',
          path: '/oauth/token',
          headers: {},
          query: {},
          contentType: 'application/json',
          body: { client_id: 'a' },
        })
        .join(),
    ).toMatch(/content type application\/json not accepted/);
    expect(
      api
        .validate({
          method: 'GET',
          path: '/conversations/search',
          headers: conversations,
          query: { contactId: 'c' },
          contentType: '',
          body: undefined,
        })
        .join(),
    ).toMatch(/locationId is required/);
    expect(
      api.validate({
        method: 'POST',
        path: '/contacts/upsert',
        headers: { version: '2021-07-28' },
        query: {},
        contentType: json,
        body: {
          locationId: 'l',
          phone: '+14155550100',
          dndSettings: { SMS: { status: 'active' } },
        },
      }),
    ).toEqual([]);
    expect(
      api
        .validate({
          method: 'POST',
          path: '/contacts/upsert',
          headers: { version: '2021-07-28' },
          query: {},
          contentType: json,
          body: { locationId: 'l', dndSettings: { SMS: { status: 'on' } } },
        })
        .join(),
    ).toMatch(/allowed values/);
  });
});
