import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Inject,
  Injectable,
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { ConfigError, secretsOrStandIns } from '@switchboard/config';
import { CommonErrorCode } from '@switchboard/errors';
import { parse, validate, type GraphQLSchema, type ValidationRule } from 'graphql';
import { DEFAULT_GRAPHQL_LIMITS, graphqlLimitRules, type GraphQLLimits } from './graphql-limits';

/** The header the gateway sends to every subgraph with the shared secret. */
export const SUBGRAPH_SECRET_HEADER = 'x-subgraph-secret';

/**
 * The shared secret of development and test mode, when SUBGRAPH_SHARED_SECRET is not set
 * (publicly known: outside those modes the variable is required).
 */
export const DEVELOPMENT_SUBGRAPH_SECRET = 'switchboard-development-subgraph-secret';

/** What the kit reads to guard a subgraph. */
export interface SubgraphAccessConfig extends Partial<GraphQLLimits> {
  NODE_ENV?: string;
  SUBGRAPH_SHARED_SECRET?: string;
}

/**
 * The secret a subgraph expects from the gateway: SUBGRAPH_SHARED_SECRET, or in development and
 * test mode the known development one. Anything else without it stops the service at boot.
 */
export function subgraphSecretOf(config: SubgraphAccessConfig): string {
  const { values, problems } = secretsOrStandIns(config, {
    SUBGRAPH_SHARED_SECRET: [config.SUBGRAPH_SHARED_SECRET, DEVELOPMENT_SUBGRAPH_SECRET],
  });
  if (problems.length) throw new ConfigError(problems);
  return values.SUBGRAPH_SHARED_SECRET;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Timing-safe: equal-length digests, so neither the content nor the length leaks. */
export function secretMatches(given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

/**
 * Query texts that met a subgraph's limits, so that an operation a client sends again and again
 * is not parsed and validated again on every request: the most recently used `maxEntries`,
 * each of at most `maxChars` (a longer text is checked every time). The limits and the schema
 * are fixed for the life of the process, so a text that passed once passes again; a refused one
 * is never kept.
 */
export class PassedQueries {
  private readonly texts = new Set<string>();

  constructor(
    private readonly maxEntries = 256,
    private readonly maxChars = 8_192,
  ) {}

  /** Whether `query` passed before (and it becomes the most recently used). */
  has(query: string): boolean {
    if (!this.texts.delete(query)) return false;
    this.texts.add(query);
    return true;
  }

  add(query: string): void {
    if (query.length > this.maxChars || this.maxEntries <= 0) return;
    this.texts.delete(query);
    this.texts.add(query);
    if (this.texts.size <= this.maxEntries) return;
    const oldest = this.texts.values().next();
    if (!oldest.done) this.texts.delete(oldest.value);
  }
}

interface SubgraphAccessOptions {
  secret: string;
  limits: GraphQLLimits;
}

const SUBGRAPH_ACCESS_OPTIONS = Symbol('SUBGRAPH_ACCESS_OPTIONS');

interface HttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  query?: Record<string, unknown>;
}
interface HttpResponse {
  status(code: number): HttpResponse;
  json(body: unknown): unknown;
}

function refuse(res: HttpResponse, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * A subgraph's `/graphql` answers the gateway only: a request without the shared secret header
 * is refused 401, with a wrong one 403 (compared timing-safe). Then the operation meets the
 * gateway's limits (graphqlLimitsConfigShape) before Apollo runs it, so reaching a subgraph
 * directly does not bypass them; a query text that met them is remembered (`PassedQueries`).
 * Other paths (health, device API, webhooks) are not touched.
 */
@Injectable()
export class SubgraphAccessMiddleware implements NestMiddleware {
  private readonly rules: ValidationRule[];
  private schema?: GraphQLSchema;
  private readonly passed = new PassedQueries();

  constructor(
    @Inject(SUBGRAPH_ACCESS_OPTIONS) private readonly options: SubgraphAccessOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    this.rules = graphqlLimitRules(options.limits);
  }

  use(req: HttpRequest, res: HttpResponse, next: (error?: unknown) => void): void {
    const given = req.headers[SUBGRAPH_SECRET_HEADER];
    if (given === undefined)
      return refuse(res, 401, CommonErrorCode.UNAUTHENTICATED, 'Subgraphs answer the gateway only');
    if (!secretMatches(Array.isArray(given) ? given.join(',') : given, this.options.secret))
      return refuse(res, 403, CommonErrorCode.FORBIDDEN, 'Subgraphs answer the gateway only');
    const problem = this.limitProblem(req);
    if (problem) return refuse(res, 400, problem.code, problem.message);
    next();
  }

  private limitProblem(req: HttpRequest): { code: string; message: string } | undefined {
    const schema = this.graphqlSchema();
    const bodies = Array.isArray(req.body) ? req.body : [req.body ?? req.query];
    for (const body of bodies) {
      const query = (body as { query?: unknown } | undefined)?.query;
      if (typeof query !== 'string' || this.passed.has(query)) continue;
      let document;
      try {
        document = parse(query, { maxTokens: this.options.limits.MAX_TOKENS });
      } catch (error) {
        return { code: 'GRAPHQL_PARSE_FAILED', message: (error as Error).message };
      }
      // Before the schema is built only the token limit applies: nothing is remembered then.
      if (!schema) continue;
      const [error] = validate(schema, document, this.rules);
      if (error) return { code: 'GRAPHQL_VALIDATION_FAILED', message: error.message };
      this.passed.add(query);
    }
    return undefined;
  }

  private graphqlSchema(): GraphQLSchema | undefined {
    try {
      this.schema ??= this.moduleRef.get(GraphQLSchemaHost, { strict: false }).schema;
    } catch {
      // No GraphQL in this service, or its schema is not built yet: the token limit still applies.
    }
    return this.schema;
  }
}

/** Puts SubgraphAccessMiddleware in front of `/graphql` (createServiceApp imports it). */
@Module({})
export class SubgraphAccessModule implements NestModule {
  static forRoot(config: SubgraphAccessConfig): DynamicModule {
    const options: SubgraphAccessOptions = {
      secret: subgraphSecretOf(config),
      limits: {
        MAX_DEPTH: config.MAX_DEPTH ?? DEFAULT_GRAPHQL_LIMITS.MAX_DEPTH,
        MAX_ALIASES: config.MAX_ALIASES ?? DEFAULT_GRAPHQL_LIMITS.MAX_ALIASES,
        MAX_TOKENS: config.MAX_TOKENS ?? DEFAULT_GRAPHQL_LIMITS.MAX_TOKENS,
        COST_LIMIT: config.COST_LIMIT ?? DEFAULT_GRAPHQL_LIMITS.COST_LIMIT,
        MAX_DIRECTIVES: config.MAX_DIRECTIVES ?? DEFAULT_GRAPHQL_LIMITS.MAX_DIRECTIVES,
      },
    };
    return {
      module: SubgraphAccessModule,
      providers: [
        { provide: SUBGRAPH_ACCESS_OPTIONS, useValue: options },
        SubgraphAccessMiddleware,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(SubgraphAccessMiddleware)
      // Apollo is mounted at /graphql and answers under it too (/graphql/anything).
      .forRoutes(
        { path: 'graphql', method: RequestMethod.ALL },
        { path: 'graphql/*path', method: RequestMethod.ALL },
      );
  }
}
