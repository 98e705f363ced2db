import { isDevelopmentMode } from '@switchboard/config';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainException } from './domain-exception';

/** GraphQL codes for our kinds where Apollo has a conventional name. */
const apolloCodeOfKind: Partial<Record<string, string>> = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_INPUT: 'BAD_USER_INPUT',
};

function unwrap(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 5 && current instanceof GraphQLError && current.originalError; i++) {
    current = current.originalError;
  }
  return current;
}

/**
 * Apollo `formatError`: a DomainException becomes `extensions.code` = its own code (what
 * clients switch on), `extensions.kind`, `extensions.details`; NestJS HttpExceptions keep
 * their status; anything else is an INTERNAL_SERVER_ERROR whose message is hidden in
 * production.
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const original = unwrap(error);
  if (original instanceof DomainException) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: {
        code: original.code,
        kind: original.kind,
        httpStatus: original.httpStatus,
        ...(apolloCodeOfKind[original.kind] ? { category: apolloCodeOfKind[original.kind] } : {}),
        ...(Object.keys(original.details).length ? { details: original.details } : {}),
        ...(original.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: original.retryAfterSeconds }
          : {}),
      },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    // GraphQL validation/parse errors and Apollo's own codes pass through.
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  const status = (original as { status?: number; getStatus?: () => number })?.getStatus?.();
  if (status === 401 || status === 403) {
    return {
      message: status === 401 ? 'Authentication required' : 'Forbidden',
      path: formatted.path,
      extensions: { code: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' },
    };
  }
  return {
    // Internal details only in development mode, asked for explicitly (unset NODE_ENV hides them).
    message: isDevelopmentMode(process.env) ? formatted.message : 'Internal server error',
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
