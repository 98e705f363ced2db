import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Logger } from './logger';

const pinoLevelOf: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};
const verbosity: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

function looksLikeStack(value: unknown): value is string {
  return typeof value === 'string' && /\n\s+at /.test(value);
}

/**
 * Routes Nest's own logs (`app.useLogger(new NestPinoLogger(logger))`) through the pino
 * logger, so they get the same JSON shape, ids and redaction. Nest calls
 * `log(message, ...params, context?)` and `error(message, stack?, context?)`.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest's `logger: ['error', 'warn']` option: the most verbose level given wins. */
  setLogLevels(levels: LogLevel[]): void {
    const mostVerbose = verbosity.find((level) => levels.includes(level));
    this.logger.level = mostVerbose ? pinoLevelOf[mostVerbose] : 'silent';
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const rest = params.filter((param) => param !== undefined);
    const fields: Record<string, unknown> = {};
    const last = rest[rest.length - 1];
    // The trailing string is the context, except `error(message, stack)` without one.
    if (
      typeof last === 'string' &&
      !(level === 'error' && rest.length === 1 && looksLikeStack(last))
    ) {
      fields.context = rest.pop();
    }
    let msg: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
      msg = message.message;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message, fields.context ? { context: fields.context } : {});
    } else {
      msg = String(message);
    }
    if (level === 'error' && looksLikeStack(rest[0])) {
      const stack = rest.shift();
      if (!fields.err) fields.err = { type: 'Error', message: msg, stack };
    }
    if (rest.length > 0) fields.params = rest;
    this.logger[pinoLevelOf[level]](fields, msg);
  }
}
