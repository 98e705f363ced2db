// Boots small services through createServiceApp against the local stack (a database of this
// file's own, the stack's broker) and checks what every service gets from the kit over HTTP.
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, Req } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { EventsModule } from '@switchboard/events';
import { createLogger, MetricsModule } from '@switchboard/observability';
import { runMigrations } from '@switchboard/tenancy';
import {
  createTestDatabase,
  ManualClock,
  stackSetting,
  type TestDatabase,
} from '@switchboard/testing';
import {
  Clock,
  createServiceApp,
  DatabaseModule,
  eventTablesMigration,
  ReadinessModule,
} from '@switchboard/service-kit';

@Controller('probe')
class ProbeController {
  constructor(private readonly clock: Clock) {}

  @Get('ip')
  ip(@Req() req: { ip?: string }): { ip?: string } {
    return { ip: req.ip };
  }

  @Get('now')
  now(): { now: string } {
    return { now: this.clock.now().toISOString() };
  }

  @Get('refused')
  refused(): never {
    throw new CommonException(CommonErrorCode.NOT_FOUND, 'Nothing here');
  }
}

function serviceModule(db: TestDatabase, brokers: string) {
  @Module({
    imports: [
      DatabaseModule.forRoot({ url: db.appUrl, poolSize: 2 }),
      EventsModule.forRootAsync({
        useFactory: () => ({
          service: 'kit-it',
          brokers: brokers.split(','),
          databaseUrl: db.appUrl,
          relay: false,
          consume: false,
        }),
      }),
      MetricsModule.forRoot({ service: 'kit-it', defaultMetrics: false }),
      ReadinessModule.forRoot(),
    ],
    controllers: [ProbeController],
  })
  class KitTestModule {}
  return KitTestModule;
}

const config = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'debug' as const,
  TRUST_PROXY: 'loopback',
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 61_000,
};

describe('createServiceApp', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  let base: string;
  const lines: string[] = [];
  const clock = new ManualClock();
  let shutdowns = 0;

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    await runMigrations({
      ownerUrl: db.ownerUrl,
      appUrl: db.appUrl,
      migrations: [eventTablesMigration()],
    });
    app = await createServiceApp(serviceModule(db, stackSetting('KAFKA_BROKERS')), {
      service: 'kit-it',
      config,
      clock,
      logger: createLogger({
        service: 'kit-it',
        level: 'debug',
        destination: { write: (line) => void lines.push(line) },
      }),
      onShutdown: async () => void shutdowns++,
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('is ready when the database and the broker answer', async () => {
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      info: { postgres: { status: 'up' }, kafka: { status: 'up' } },
      error: {},
      details: { postgres: { status: 'up' }, kafka: { status: 'up' } },
    });
  });

  it('keeps idle connections open per HTTP_KEEP_ALIVE_TIMEOUT_MS', () => {
    const server = app.getHttpServer();
    expect(server.keepAliveTimeout).toBe(61_000);
    expect(server.headersTimeout).toBeGreaterThan(61_000);
  });

  it('logs each request with an id, hides x-powered-by, trusts the configured proxy', async () => {
    const response = await fetch(`${base}/probe/ip`, {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'kit-request-0001' },
    });
    expect(await response.json()).toEqual({ ip: '203.0.113.9' });
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-request-id')).toBe('kit-request-0001');
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'request completed', request_id: 'kit-request-0001' }),
    );
  });

  it('answers HTTP errors as problem details', async () => {
    const response = await fetch(`${base}/probe/refused`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('gives every provider the clock it was given', async () => {
    clock.set(new Date('2031-05-01T12:00:00Z'));
    try {
      const { now } = (await (await fetch(`${base}/probe/now`)).json()) as { now: string };
      expect(now.startsWith('2031-05-01T12:00')).toBe(true);
    } finally {
      clock.reset();
    }
  });

  it('runs onShutdown once, last: after the database closed', async () => {
    let databaseOpenAtShutdown: boolean | undefined;
    const other = await createServiceApp(serviceModule(db, stackSetting('KAFKA_BROKERS')), {
      service: 'kit-it',
      config,
      logger: createLogger({ service: 'kit-it', level: 'silent' }),
      onShutdown: async () => {
        shutdowns++;
        databaseOpenAtShutdown = other.get(DataSource).isInitialized;
      },
    });
    await other.init();
    const before = shutdowns;
    await other.close();
    expect(shutdowns).toBe(before + 1);
    expect(databaseOpenAtShutdown).toBe(false);
  });
});

describe('readiness with the broker down', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    app = await createServiceApp(serviceModule(db, '127.0.0.1:1'), {
      service: 'kit-it',
      config,
      logger: createLogger({ service: 'kit-it', level: 'silent' }),
    });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers 503 naming the check, and nothing about why', async () => {
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      status: 'error',
      info: { postgres: { status: 'up' } },
      error: { kafka: { status: 'down' } },
      details: { postgres: { status: 'up' }, kafka: { status: 'down' } },
    });
  });
});
