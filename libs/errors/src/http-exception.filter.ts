import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainException } from './domain-exception';

interface ResponseLike {
  status(code: number): ResponseLike;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
  headersSent?: boolean;
}

/**
 * HTTP endpoints (REST controllers, webhooks, the device API) answer errors as RFC 9457
 * problem details: `{ type, title, status, detail, code, ... }` with
 * `Content-Type: application/problem+json`.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<ResponseLike>();
    if (response.headersSent) return;
    const problem = toProblem(exception);
    if (problem.retryAfterSeconds !== undefined)
      response.setHeader('Retry-After', String(problem.retryAfterSeconds));
    response.setHeader('Content-Type', 'application/problem+json');
    response.status(problem.status).json(problem);
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  retryAfterSeconds?: number;
  [extra: string]: unknown;
}

export function toProblem(exception: unknown): Problem {
  if (exception instanceof DomainException) {
    return {
      type: `urn:switchboard:error:${exception.code}`,
      title: exception.kind,
      status: exception.httpStatus,
      detail: exception.message,
      code: exception.code,
      ...exception.details,
      ...(exception.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: exception.retryAfterSeconds }
        : {}),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const detail =
      typeof body === 'string'
        ? body
        : ((body as { message?: unknown }).message ?? exception.message);
    const code =
      status === 413
        ? 'PAYLOAD_TOO_LARGE'
        : status === 404
          ? 'NOT_FOUND'
          : status === 401
            ? 'UNAUTHENTICATED'
            : status === 403
              ? 'FORBIDDEN'
              : status < 500
                ? 'BAD_REQUEST'
                : 'INTERNAL';
    return {
      type: `urn:switchboard:error:${code}`,
      title: exception.name,
      status,
      detail: Array.isArray(detail) ? detail.join('; ') : String(detail),
      code,
    };
  }
  // body-parser errors (malformed JSON, too large) carry a status of their own.
  const status = (exception as { status?: number; type?: string })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    return {
      type: `urn:switchboard:error:${code}`,
      title: code,
      status,
      detail: status === 413 ? 'Request body too large' : 'Malformed request body',
      code,
    };
  }
  return {
    type: 'urn:switchboard:error:INTERNAL',
    title: 'INTERNAL',
    status: 500,
    detail: 'Internal server error',
    code: 'INTERNAL',
  };
}
