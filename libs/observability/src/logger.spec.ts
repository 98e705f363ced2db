import { trace } from '@opentelemetry/api';
import { createLogger, type Logger } from './logger';
import { NestPinoLogger } from './nest-pino-logger';
import { requestContext } from './request-context';

const PHONE = '+14155550123';
const EMAIL = 'jane.doe@example.com';
const BODY = 'Your verification code is 482913';
const TOKEN = 'sbk_live_9f8e7d6c5b4a3f2e1d0c';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.YWJjZGVmZ2hpamtsbW5vcA';
const SECRETS = [PHONE, '4155550123', EMAIL, 'jane.doe', BODY, '482913', TOKEN, JWT];

function capture(level: 'trace' | 'info' = 'info'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  raw: () => string;
} {
  const chunks: string[] = [];
  const logger = createLogger({
    service: 'messaging',
    level,
    destination: { write: (s) => void chunks.push(s) },
  });
  return {
    logger,
    raw: () => chunks.join(''),
    lines: () => chunks.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('createLogger', () => {
  it('writes JSON lines with service, level and time, and no personal data or secret in clear', () => {
    const { logger, lines, raw } = capture();
    logger.info(
      {
        messageId: 'msg_01HZX3K9Q2V7YB8N4M6P0R5T1W',
        tenantId: 't_42',
        segments: 2,
        status: 202,
        to: PHONE,
        body: BODY,
        contact: { email: EMAIL },
        auth: `Bearer ${JWT}`,
        apiKey: TOKEN,
        note: `forwarded from ${PHONE} on behalf of ${EMAIL} with ${TOKEN}`,
      },
      `queued message for ${PHONE}`,
    );

    expectNoSecrets(raw());
    const [line] = lines();
    expect(line).toMatchObject({
      level: 'info',
      service: 'messaging',
      messageId: 'msg_01HZX3K9Q2V7YB8N4M6P0R5T1W',
      tenantId: 't_42',
      segments: 2,
      status: 202,
      to: '[redacted]',
      body: '[redacted]',
      contact: { email: '[redacted]' },
      auth: 'Bearer [redacted]',
      apiKey: '[redacted]',
      note: 'forwarded from +******23 on behalf of ***@example.com with sbk_[redacted]',
      msg: 'queued message for +******23',
    });
    expect(typeof line.time).toBe('string');
    expect(line.pid).toBe(process.pid);
  });

  it('scrubs printf arguments (by value: a bare body has no key to give it away)', () => {
    const { logger, lines } = capture();
    logger.info('sent with %s to %s (%d segments) %j', TOKEN, PHONE, 2, {
      body: BODY,
      email: EMAIL,
    });
    expect(lines()[0].msg).toBe(
      'sent with sbk_[redacted] to +******23 (2 segments) {"body":"[redacted]","email":"[redacted]"}',
    );
  });

  it('scrubs errors: the message pino copies into msg, the stack, the fields', () => {
    const { logger, lines, raw } = capture();
    const error = Object.assign(new Error(`carrier rejected ${PHONE} for ${EMAIL}`), {
      details: { body: BODY },
    });
    logger.error(error);
    logger.error({ err: error });
    logger.error({ err: error }, 'send failed');
    expectNoSecrets(raw());
    const [bare, wrapped, withMessage] = lines();
    for (const line of [bare, wrapped]) {
      expect(line.msg).toBe('carrier rejected +******23 for ***@example.com');
    }
    expect(withMessage.msg).toBe('send failed');
    expect(bare.err).toMatchObject({
      type: 'Error',
      message: 'carrier rejected +******23 for ***@example.com',
      details: { body: '[redacted]' },
    });
    expect((bare.err as { stack: string }).stack).toMatch(/^Error: carrier rejected \+\*{6}23/);
  });

  it('scrubs child bindings', () => {
    const { logger, lines, raw } = capture();
    logger.child({ phone: PHONE, job: `resend to ${EMAIL}` }).warn('retrying');
    expectNoSecrets(raw());
    expect(lines()[0]).toMatchObject({
      phone: '[redacted]',
      job: 'resend to ***@example.com',
      msg: 'retrying',
    });
  });

  it('adds the correlation id of the request context and the ids of the active span', () => {
    const { logger, lines } = capture();
    const span = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    const active = jest.spyOn(trace, 'getActiveSpan').mockReturnValue(span);
    try {
      requestContext.run({ correlationId: 'req-1234567890', tenantId: 't_42' }, () =>
        logger.info('inside'),
      );
    } finally {
      active.mockRestore();
    }
    logger.info('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      correlation_id: 'req-1234567890',
      tenant_id: 't_42',
    });
    expect(outside).not.toHaveProperty('trace_id');
    expect(outside).not.toHaveProperty('correlation_id');
  });

  it('keeps the request context across awaits', async () => {
    const { logger, lines } = capture();
    await requestContext.run({ correlationId: 'req-async-0001' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('later');
    });
    expect(lines()[0].correlation_id).toBe('req-async-0001');
  });
});

describe('NestPinoLogger', () => {
  it('maps Nest levels and the trailing context', () => {
    const { logger, lines } = capture('trace');
    const nest = new NestPinoLogger(logger);
    nest.log('Nest application successfully started', 'NestApplication');
    nest.warn(`slow send to ${PHONE}`, 'MessagesService');
    nest.verbose('mapped route', 'RouterExplorer');
    nest.debug({ event: 'cache miss', key: 'k1' }, 'Cache');
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        context: 'NestApplication',
        msg: 'Nest application successfully started',
      }),
      expect.objectContaining({
        level: 'warn',
        context: 'MessagesService',
        msg: 'slow send to +******23',
      }),
      expect.objectContaining({ level: 'trace', context: 'RouterExplorer' }),
      expect.objectContaining({ level: 'debug', context: 'Cache', event: 'cache miss', key: 'k1' }),
    ]);
  });

  it('logs errors with their stack, redacted', () => {
    const { logger, lines, raw } = capture();
    const nest = new NestPinoLogger(logger);
    const error = new Error(`failed for ${EMAIL}`);
    nest.error(error.message, error.stack, 'ExceptionsHandler');
    nest.error(error);
    nest.error('no stack, no context');
    expectNoSecrets(raw());
    const [withStack, asError, plain] = lines();
    expect(withStack).toMatchObject({
      level: 'error',
      context: 'ExceptionsHandler',
      msg: 'failed for ***@example.com',
    });
    expect((withStack.err as { stack: string }).stack).toMatch(
      /^Error: failed for \*\*\*@example\.com\n/,
    );
    expect(asError).toMatchObject({ msg: 'failed for ***@example.com', err: { type: 'Error' } });
    expect(plain).toMatchObject({ msg: 'no stack, no context' });
    expect(plain).not.toHaveProperty('context');
  });

  it('follows Nest log level settings', () => {
    const { logger, lines } = capture();
    const nest = new NestPinoLogger(logger);
    nest.setLogLevels(['error', 'warn']);
    nest.log('hidden');
    nest.warn('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });
});
