import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { getVariableValues } from 'graphql';
import type { Logger } from 'pino';
import type { Principal } from '@switchboard/auth';
import type { EdgeIdentity } from './edge-auth';
import type { ForwardedQueries } from './forwarded-queries';
import type { SubgraphHttpClient } from './subgraph-http';

/** The response types Apollo Server chooses from for a single result, in its order. */
const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';
const CALLBACK_TYPE = 'application/json; callbackSpec=1.0; charset=utf-8';

/** What a request to a subgraph carries besides the query: who asks, and the request's facts. */
export interface SubgraphRequestFacts extends EdgeIdentity {
  requestId?: string;
  forwardedFor?: string;
  userAgent?: string;
}

/**
 * The edge's work on a request when the forwarding path has done it and then handed the request
 * on (the normal path uses it rather than identifying and counting the request again).
 */
export interface EdgeAdmission {
  identity: EdgeIdentity;
  admitted: Promise<void>;
}

export interface QueryForwardingDeps {
  queries: ForwardedQueries;
  /** A subgraph's URL and connection pool, by name. */
  subgraph(name: string): { url: string; client: SubgraphHttpClient } | undefined;
  /** Edge authentication; throws when the credentials are refused. */
  identify(authorization: string | undefined): Promise<EdgeIdentity>;
  /** Counts the request against the rate limits; rejects when it is refused. */
  admit(principal: Principal | undefined, clientIp: string | undefined): Promise<void>;
  /** The request's id, client address and forwarding headers, as the normal path has them. */
  factsOf(
    req: Parameters<RequestHandler>[0],
    res: Parameters<RequestHandler>[1],
  ): {
    requestId: string;
    forwardedFor?: string;
    userAgent?: string;
  };
  /** The headers every request to a subgraph carries (the shared secret, the identity). */
  subgraphHeaders(facts: SubgraphRequestFacts): Record<string, string>;
  logger: Logger;
}

type RequestBody = { query: string; operationName?: string; variables?: Record<string, unknown> };

/**
 * The forwarding path of `POST /graphql` (gateway/README.md, Forwarded queries): a query Apollo
 * Gateway planned before as one fetch from one subgraph asking exactly what the client asked
 * (`ForwardedQueries`) is authenticated and counted at the edge as always, its variables
 * checked against the supergraph, and sent to that subgraph as the planner wrote it, with the
 * same headers; a plain answer (200, only `data`) is the response, as it came. Anything else —
 * a query not planned yet or not forwardable, refused credentials, a refused count, variables
 * the supergraph does not accept, a subgraph error, an answer with `errors` or `extensions`, a
 * cacheable answer — goes on to Apollo (`next()`), which answers it as it always did; a query
 * reads only, so asking the subgraph again there changes nothing. The request is identified
 * and counted once: `res.locals.edge` hands that work on.
 */
export function queryForwarding(deps: QueryForwardingDeps): RequestHandler {
  return async (req, res, next) => {
    const started = performance.now();
    const body = forwardableBody(req.body);
    if (!body || !req.is('application/json')) return next();
    const plan = deps.queries.find(body.query, body.operationName);
    const target = plan && deps.subgraph(plan.serviceName);
    if (!plan || !target) return next();
    const contentType = req.accepts([JSON_TYPE, GRAPHQL_RESPONSE_TYPE, CALLBACK_TYPE]);
    if (contentType !== JSON_TYPE && contentType !== GRAPHQL_RESPONSE_TYPE) return next();
    const values = body.variables ?? {};
    if (getVariableValues(plan.schema, plan.variableDefinitions, values).errors) return next();

    let identity: EdgeIdentity;
    try {
      identity = await deps.identify(req.headers.authorization);
    } catch {
      return next(); // the normal path refuses the credentials (and counts the address)
    }
    const admitted = deps.admit(identity.principal, req.ip);
    admitted.catch(() => undefined);
    res.locals.edge = { identity, admitted } satisfies EdgeAdmission;
    try {
      await admitted;
    } catch {
      return next(); // the normal path answers the refusal (429)
    }

    const variables: Record<string, unknown> = Object.create(null);
    for (const name of plan.variableUsages)
      if (Object.hasOwn(values, name) && values[name] !== undefined) variables[name] = values[name];
    const headers = deps.subgraphHeaders({ ...identity, ...deps.factsOf(req, res) });
    let answer: string;
    try {
      const response = await target.client.fetch(target.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: plan.operation,
          variables,
          operationName: plan.operationName,
        }),
      });
      answer = await response.text();
      const cacheControl = response.headers.get('cache-control');
      if (
        response.status !== 200 ||
        !response.headers.get('content-type')?.startsWith('application/json') ||
        (cacheControl !== null && cacheControl !== 'no-store') ||
        !isPlainData(answer)
      )
        return next();
    } catch {
      return next();
    }
    res.status(200);
    res.setHeader('content-type', contentType);
    res.setHeader('cache-control', 'no-store');
    res.end(answer);
    deps.logger.info(
      {
        operation_name: plan.clientOperationName,
        operation_type: 'query',
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        forwarded: plan.serviceName,
      },
      'graphql operation',
    );
  };
}

/** A POST body Apollo Server would take as one query request, without extensions. */
function forwardableBody(body: unknown): RequestBody | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { query, operationName, variables, extensions } = body as Record<string, unknown>;
  if (typeof query !== 'string' || (extensions !== undefined && extensions !== null))
    return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    return undefined;
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  )
    return undefined;
  return {
    query,
    operationName: operationName ?? undefined,
    variables: (variables as Record<string, unknown> | null) ?? undefined,
  };
}

/** An answer of `data` only, an object: what Apollo Gateway's result shaping returns as is. */
function isPlainData(answer: string): boolean {
  try {
    const parsed = JSON.parse(answer) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return false;
    const keys = Object.keys(parsed);
    const data = (parsed as { data?: unknown }).data;
    return keys.length === 1 && keys[0] === 'data' && typeof data === 'object' && data !== null;
  } catch {
    return false;
  }
}
