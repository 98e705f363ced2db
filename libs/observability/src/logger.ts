import { hostname } from 'node:os';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type LevelWithSilent, type LogFn } from 'pino';
import { redact, redactString } from './redaction';
import { currentRequestContext } from './request-context';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Goes on every line as `service`. */
  service: string;
  /** Defaults to $LOG_LEVEL, then `info`. */
  level?: LevelWithSilent;
  /** Where lines go; stdout when omitted. */
  destination?: DestinationStream;
}

/**
 * The one logger factory of the platform: JSON lines with `service`, `trace_id`/`span_id` of
 * the active span, `correlation_id` of the request context, and personal data and secrets
 * redacted from everything that is logged — the merged object, the message, printf
 * arguments, child bindings and errors.
 */
export function createLogger(options: LoggerOptions): Logger {
  const logger = pino(
    {
      level: options.level ?? (process.env.LOG_LEVEL as LevelWithSilent | undefined) ?? 'info',
      base: { service: options.service, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: contextFields,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redact(object) as Record<string, unknown>,
      },
      // `formatters.log` has already turned errors into redacted `{ type, message, stack }`.
      serializers: { err: (value: unknown) => value },
      hooks: { logMethod: redactArguments },
    },
    options.destination,
  );
  // pino applies `formatters.bindings` to the root's bindings only, not to children's.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redact(bindings) as pino.Bindings, childOptions);
  } as typeof child;
  return logger;
}

/** The trace and request ids of the current unit of work (pino `mixin`). */
export function contextFields(): Record<string, string> {
  const fields: Record<string, string> = {};
  const span = trace.getActiveSpan()?.spanContext();
  if (span && isSpanContextValid(span)) {
    fields.trace_id = span.traceId;
    fields.span_id = span.spanId;
  }
  const request = currentRequestContext();
  if (request) {
    fields.correlation_id = request.correlationId;
    if (request.tenantId) fields.tenant_id = request.tenantId;
  }
  return fields;
}

function isErrorLike(value: unknown): value is { message: string } {
  return (
    value instanceof Error ||
    (typeof (value as { message?: unknown })?.message === 'string' &&
      typeof (value as { stack?: unknown }).stack === 'string')
  );
}

/**
 * pino `hooks.logMethod`: scrubs the message and printf arguments (the merged object is left
 * to `formatters.log`). When an error is logged without a message pino would copy its
 * message verbatim into `msg`, so the redacted one is supplied here.
 */
function redactArguments(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const values = args as unknown[];
  let first = 0;
  if (typeof values[0] === 'object' && values[0] !== null) {
    first = 1;
    if (values[0] instanceof Error) values[0] = { err: values[0] };
    const err = (values[0] as { err?: unknown }).err;
    const hasMsg = (values[0] as { msg?: unknown }).msg !== undefined;
    if (values.length === 1 && !hasMsg && isErrorLike(err)) values.push(err.message);
  }
  for (let i = first; i < values.length; i++) {
    values[i] =
      typeof values[i] === 'string' ? redactString(values[i] as string) : redact(values[i]);
  }
  (method as (...a: unknown[]) => void).apply(this, values);
}
