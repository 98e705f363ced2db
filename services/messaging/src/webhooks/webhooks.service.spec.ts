import type { DataSource, EntityManager } from 'typeorm';
import type { AuditRecord, OutboxWriter } from '@switchboard/events';
import { ManualClock } from '@switchboard/testing';
import type { MessagingConfig } from '../config';
import type { WebhookUrlProblem } from '../domain/webhook-address';
import type { WebhookHttpClient } from './webhook-http.client';
import type { WebhookEndpointRecord } from './webhook.record';
import { WebhookSigner } from './webhook-signer';
import type { WebhooksRepository } from './webhooks.repository';
import { signingSecrets, WebhooksService } from './webhooks.service';

const ORG = '00000000-0000-4000-8000-000000000001';
const actor = { kind: 'user', id: 'u1', orgId: ORG } as const;
const tx = { query: () => Promise.resolve([]) } as unknown as EntityManager;

function newService(config: Partial<MessagingConfig> = {}, hostProblem?: WebhookUrlProblem) {
  const clock = new ManualClock();
  clock.set(new Date('2026-03-01T12:00:00Z'));
  const endpoints = new Map<string, WebhookEndpointRecord>();
  const audits: AuditRecord[] = [];
  const posts: { url: string; headers: Record<string, string>; body: string }[] = [];
  const repository = {
    listEndpoints: () => Promise.resolve([...endpoints.values()]),
    insertEndpoint: (_tx: EntityManager, e: WebhookEndpointRecord & { now: Date }) => {
      const record: WebhookEndpointRecord = {
        ...e,
        previousSecret: null,
        previousSecretExpiresAt: null,
        enabled: true,
        disabledAt: null,
        disabledReason: null,
        failingSince: null,
        createdAt: e.now,
        updatedAt: e.now,
      };
      endpoints.set(e.id, record);
      return Promise.resolve(record);
    },
    findEndpoint: (_tx: EntityManager, id: string) => Promise.resolve(endpoints.get(id)),
    rotateSecret: (_tx: EntityManager, id: string, secret: string, expiresAt: Date) => {
      const e = endpoints.get(id);
      if (!e) return Promise.resolve(undefined);
      const rotated = {
        ...e,
        previousSecret: e.secret,
        previousSecretExpiresAt: expiresAt,
        secret,
      };
      endpoints.set(id, rotated);
      return Promise.resolve(rotated);
    },
  } as unknown as WebhooksRepository;
  const http = {
    hostProblem: () => Promise.resolve(hostProblem),
    post: (url: string, headers: Record<string, string>, body: string) => {
      posts.push({ url, headers, body });
      return Promise.resolve({ responseCode: 200, responseBody: '', latencyMs: 3, error: null });
    },
  } as unknown as WebhookHttpClient;
  const service = new WebhooksService(
    {
      transaction: <T>(work: (m: EntityManager) => Promise<T>) => work(tx),
    } as unknown as DataSource,
    { NODE_ENV: 'test', WEBHOOK_ALLOW_HTTP: true, ...config } as MessagingConfig,
    repository,
    http,
    new WebhookSigner(),
    {
      audit: (_tx: EntityManager, entry: AuditRecord) => void audits.push(entry),
    } as unknown as OutboxWriter,
    clock,
  );
  return { service, endpoints, audits, posts, clock };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );

describe('WebhooksService', () => {
  it('creates an endpoint with a whsec_ secret, audited, the types normalized', async () => {
    const { service, audits } = newService();
    const { endpoint, secret } = await service.create(ORG, actor, {
      url: 'http://hooks.example.com/x',
      eventTypes: ['message.received', 'message.status_changed'],
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint.eventTypes).toEqual(['message.status_changed', 'message.received']);
    expect(audits).toEqual([
      expect.objectContaining({ action: 'webhook_endpoint.create', resourceId: endpoint.id }),
    ]);
  });

  it('refuses http in production, forbidden addresses, unknown event types', async () => {
    const input = { url: 'http://hooks.example.com/x', eventTypes: ['message.received'] };
    expect(
      await codeOf(newService({ NODE_ENV: 'production' }).service.create(ORG, actor, input)),
    ).toBe('INVALID_WEBHOOK_URL');
    expect(
      await codeOf(newService({ WEBHOOK_ALLOW_HTTP: false }).service.create(ORG, actor, input)),
    ).toBe('INVALID_WEBHOOK_URL');
    const forbidden = newService(
      {},
      { kind: 'forbidden-address', address: '10.0.0.1', range: 'private (RFC 1918)' },
    );
    expect(await codeOf(forbidden.service.create(ORG, actor, input))).toBe(
      'WEBHOOK_ADDRESS_FORBIDDEN',
    );
    expect(forbidden.endpoints.size).toBe(0);
    expect(
      await codeOf(
        newService().service.create(ORG, actor, { ...input, eventTypes: ['message.sent'] }),
      ),
    ).toBe('INVALID_WEBHOOK_EVENT_TYPES');
  });

  it('rotation: both secrets sign until the overlap ends, then only the new one', async () => {
    const { service, clock, posts } = newService();
    const { endpoint, secret: first } = await service.create(ORG, actor, {
      url: 'https://hooks.example.com/x',
      eventTypes: ['message.received'],
    });
    expect(await codeOf(service.rotateSecret(ORG, actor, endpoint.id, -1))).toBe(
      'INVALID_WEBHOOK_INPUT',
    );
    const { endpoint: rotated, secret: second } = await service.rotateSecret(
      ORG,
      actor,
      endpoint.id,
      2,
    );
    expect(signingSecrets(rotated, clock.now())).toEqual([second, first]);
    await service.test(ORG, endpoint.id);
    const [ping] = posts;
    const signature = ping.headers['webhook-signature'];
    expect(signature.split(' ')).toHaveLength(2);
    // Each is the Standard Webhooks signature of one secret over id.timestamp.body.
    const at = new Date(Number(ping.headers['webhook-timestamp']) * 1000);
    expect(ping.body).toContain('"type":"webhook.ping"');
    for (const secret of [first, second]) {
      const own = new WebhookSigner().headers([secret], ping.headers['webhook-id'], at, ping.body);
      expect(signature.split(' ')).toContain(own['webhook-signature']);
    }
    clock.advance(2 * 3_600_000);
    expect(signingSecrets(rotated, clock.now())).toEqual([second]);
  });

  it('replayRange refuses an empty or reversed range', async () => {
    const { service } = newService();
    const at = new Date();
    expect(await codeOf(service.replayRange(ORG, ORG, at, at))).toBe('INVALID_WEBHOOK_INPUT');
  });
});
