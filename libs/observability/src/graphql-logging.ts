import type { Logger } from './logger';

/** The parts of an Apollo Server request context this reads (structurally, no import). */
export interface GraphQLRequestLike {
  operationName?: string | null;
  operation?: { operation: string; name?: { value: string } | null } | null;
  request: { operationName?: string | null; query?: string };
  errors?: ReadonlyArray<{ extensions?: Record<string, unknown>; originalError?: unknown }>;
}

/**
 * An error's code as the client sees it: `extensions.code`, or — for the errors a resolver
 * threw, which Apollo formats only after this hook — the code of the original exception.
 */
function errorCodeOf(error: NonNullable<GraphQLRequestLike['errors']>[number]): string {
  const code =
    error.extensions?.code ?? (error.originalError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code ? code : 'UNKNOWN';
}

export interface GraphQLOperationSummary {
  operation_name: string;
  operation_type: string;
}

const OPERATION_HEADER = /^\s*(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/;

/**
 * What a log line may say about a GraphQL operation: its name and type. Never the variables
 * (phone numbers, message bodies) and never the query text (inline literals).
 */
export function describeGraphQLOperation(request: GraphQLRequestLike): GraphQLOperationSummary {
  const parsed = request.operation;
  if (parsed) {
    return {
      operation_name: parsed.name?.value ?? request.operationName ?? 'anonymous',
      operation_type: parsed.operation,
    };
  }
  // Not parsed (yet, or it failed to): the leading keyword is enough; `{ ... }` is a query.
  const header = OPERATION_HEADER.exec(request.request.query ?? '');
  return {
    operation_name: request.request.operationName ?? header?.[2] ?? 'anonymous',
    operation_type:
      header?.[1] ?? (request.request.query?.trimStart().startsWith('{') ? 'query' : 'unknown'),
  };
}

/**
 * An Apollo Server plugin (`plugins: [graphqlLogging(logger)]`) logging one line per
 * operation: name, type, duration, and the error codes if any.
 */
export function graphqlLogging(logger: Logger) {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(request: GraphQLRequestLike): Promise<void> {
          const errors = request.errors ?? [];
          const fields = {
            ...describeGraphQLOperation(request),
            duration_ms: Math.round((performance.now() - started) * 10) / 10,
            ...(errors.length ? { error_codes: errors.map(errorCodeOf) } : {}),
          };
          if (errors.length) logger.warn(fields, 'graphql operation failed');
          else logger.info(fields, 'graphql operation');
        },
      };
    },
  };
}
