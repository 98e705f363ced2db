import type { ExecutionContext, Type } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { Principal } from '../src/principal';
import type { AuthenticatedRequest } from '../src/request-context';

export interface CallOptions {
  transport: 'http' | 'graphql';
  principal?: Principal;
  headers?: Record<string, string>;
  /** GraphQL arguments, or HTTP route params. */
  args?: Record<string, unknown>;
}

/** The ExecutionContext Nest builds for a call of `cls.prototype[method]` over HTTP or GraphQL. */
export function executionContext(
  cls: Type,
  method: string,
  options: CallOptions,
): ExecutionContext {
  const req: AuthenticatedRequest = {
    headers: options.headers ?? {},
    user: options.principal,
    params: options.transport === 'http' ? (options.args ?? {}) : {},
    query: {},
  };
  const handler = cls.prototype[method] as (...args: unknown[]) => unknown;
  const args =
    options.transport === 'graphql'
      ? [undefined, options.args ?? {}, { req }, {}]
      : [req, {}, () => undefined];
  const context = new ExecutionContextHost(args, cls, handler);
  context.setType(options.transport);
  return context;
}
