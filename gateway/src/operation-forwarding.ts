import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { getVariableValues } from 'graphql';
import type { Logger } from 'pino';
import type { Principal } from '@switchboard/auth';
import type { EdgeIdentity } from './edge-auth';
import type { ForwardedOperations } from './forwarded-operations';
import type { SubgraphFetcher, SubgraphHttpClient } from './subgraph-http';

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

type FetcherResponse = Awaited<ReturnType<SubgraphFetcher>>;

/** What a subgraph answered a forwarded operation (or how asking it failed). */
export interface ReceivedAnswer {
  serviceName: string;
  /** The request body it answered. */
  body: string;
  outcome: { response: FetcherResponse } | { error: unknown };
  /** Handed to Apollo Gateway's fetch already. */
  used: boolean;
}

/**
 * The edge's work on a request when the forwarding path has done it and then handed the request
 * on: the normal path uses it rather than identifying and counting the request again, and its
 * fetch gets the subgraph's answer already received (`answeringFetcher`) rather than asking
 * the subgraph a second time.
 */
export interface EdgeAdmission {
  identity: EdgeIdentity;
  admitted: Promise<void>;
  answer?: ReceivedAnswer;
}

/**
 * A fetcher that answers the request the forwarding path sent with what the subgraph answered
 * it, once; anything else (another body: a plan that changed meanwhile) goes to `fetcher`.
 */
export function answeringFetcher(
  answer: ReceivedAnswer,
  fetcher: SubgraphFetcher,
): SubgraphFetcher {
  return async (url, init) => {
    if (answer.used || init?.body !== answer.body) return fetcher(url, init);
    answer.used = true;
    if ('error' in answer.outcome) throw answer.outcome.error;
    return answer.outcome.response.clone();
  };
}

export interface OperationForwardingDeps {
  operations: ForwardedOperations;
  /** A subgraph's URL and connection pool, by name. */
  subgraph(name: string): { url: string; client: SubgraphHttpClient } | undefined;
  /**
   * Edge authentication of the request, once a request (the normal path gets the same answer);
   * rejects when the credentials are refused.
   */
  identify(
    req: Parameters<RequestHandler>[0],
    res: Parameters<RequestHandler>[1],
  ): Promise<EdgeIdentity>;
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
 * The forwarding path of `POST /graphql` (gateway/README.md, Forwarded operations): an operation
 * Apollo Gateway planned before as one fetch from one subgraph asking exactly what the client
 * asked (`ForwardedOperations`) is authenticated and counted at the edge as always, its
 * variables checked against the supergraph, and sent to that subgraph as the planner wrote it,
 * with the same headers; a plain answer (200, only `data`) is the response, as it came.
 * Anything else goes on to Apollo (`next()`), which answers it as it always did: before the
 * subgraph is asked (an operation not planned yet or not forwardable, refused credentials, a
 * refused count, variables the supergraph does not accept), or after, with the answer received
 * (errors, extensions, a cacheable answer, a failed request), which Apollo Gateway's fetch then
 * gets instead of asking the subgraph again (`res.locals.edge`, `answeringFetcher`): the
 * subgraph is asked once, a mutation runs once, and the request is identified and counted once.
 */
export function operationForwarding(deps: OperationForwardingDeps): RequestHandler {
  return async (req, res, next) => {
    const started = performance.now();
    const body = forwardableBody(req.body);
    if (!body || !req.is('application/json')) return next();
    const plan = deps.operations.find(body.query, body.operationName);
    const target = plan && deps.subgraph(plan.serviceName);
    if (!plan || !target) return next();
    const contentType = req.accepts([JSON_TYPE, GRAPHQL_RESPONSE_TYPE, CALLBACK_TYPE]);
    if (contentType !== JSON_TYPE && contentType !== GRAPHQL_RESPONSE_TYPE) return next();
    const values = body.variables ?? {};
    if (getVariableValues(plan.schema, plan.variableDefinitions, values).errors) return next();

    let identity: EdgeIdentity;
    try {
      identity = await deps.identify(req, res);
    } catch {
      return next(); // the normal path answers the refusal (and counts the address)
    }
    const admitted = deps.admit(identity.principal, req.ip);
    admitted.catch(() => undefined);
    const edge: EdgeAdmission = { identity, admitted };
    res.locals.edge = edge;
    try {
      await admitted;
    } catch {
      return next(); // the normal path answers the refusal (429)
    }

    const variables: Record<string, unknown> = Object.create(null);
    for (const name of plan.variableUsages)
      if (Object.hasOwn(values, name) && values[name] !== undefined) variables[name] = values[name];
    const headers = deps.subgraphHeaders({ ...identity, ...deps.factsOf(req, res) });
    const request = JSON.stringify({
      query: plan.operation,
      variables,
      operationName: plan.operationName,
    });
    let outcome: ReceivedAnswer['outcome'];
    let text = '';
    try {
      const response = await target.client.fetch(target.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: request,
      });
      outcome = { response };
      text = await response.text();
    } catch (error) {
      outcome = { error };
    }
    if ('error' in outcome || !isPlainAnswer(outcome.response, text)) {
      edge.answer = { serviceName: plan.serviceName, body: request, outcome, used: false };
      return next();
    }
    res.status(200);
    res.setHeader('content-type', contentType);
    res.setHeader('cache-control', 'no-store');
    res.end(text);
    deps.logger.info(
      {
        operation_name: plan.clientOperationName,
        operation_type: plan.kind,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        forwarded: plan.serviceName,
      },
      'graphql operation',
    );
  };
}

/** A POST body Apollo Server would take as one operation (not a batch), without extensions. */
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

/**
 * A 200 JSON answer of `data` only (an object), not cacheable: what Apollo answers as it is
 * (its result shaping changes nothing, its cache policy is `no-store`).
 */
function isPlainAnswer(response: FetcherResponse, answer: string): boolean {
  const cacheControl = response.headers.get('cache-control');
  if (
    response.status !== 200 ||
    !response.headers.get('content-type')?.startsWith('application/json') ||
    (cacheControl !== null && cacheControl !== 'no-store')
  )
    return false;
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
