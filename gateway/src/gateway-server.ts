import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloGateway,
  IntrospectAndCompose,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import cors from 'cors';
import express from 'express';
import { complianceBaseUrl, downloadsProxy } from './downloads-proxy';
import { consoleSession, type RefreshedSession } from './console-session';
import { consoleStatic } from './console-static';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { Principal } from '@switchboard/auth';
import { isDevelopmentMode } from '@switchboard/config';
import { graphqlLogging, requestLogging, type Metrics } from '@switchboard/observability';
import {
  graphqlArmorConfig,
  SUBGRAPH_SECRET_HEADER,
  trustProxySetting,
} from '@switchboard/service-kit';
import type { GatewayConfig } from './config';
import { EdgeAuthenticator, type EdgeIdentity } from './edge-auth';
import { EdgeRateLimiter, type RateLimitStore } from './edge-rate-limit';
import { JwksPublisher, openIdConfiguration } from './jwks-publisher';
import { ForwardedOperations } from './forwarded-operations';
import {
  answeringFetcher,
  operationForwarding,
  type EdgeAdmission,
  type ReceivedAnswer,
  type SubgraphRequestFacts,
} from './operation-forwarding';
import { SubgraphHttpClient } from './subgraph-http';
import { SUBGRAPHS } from './subgraphs';

export interface GatewayContext extends EdgeIdentity {
  requestId: string;
  /**
   * The request's rate-limit count, started with the context and awaited once the operation is
   * resolved (`admission` plugin): its database round trip overlaps parsing and validation.
   */
  admitted?: Promise<void>;
  /** What the subgraph answered the forwarding path (Apollo's fetch gets it, not a second call). */
  answer?: ReceivedAnswer;
  clientIp?: string;
  /** X-Forwarded-For for the subgraphs: the entries received, then the client address. */
  forwardedFor?: string;
  userAgent?: string;
}

/**
 * The headers every request to a subgraph carries: the shared secret that proves it is the
 * gateway's (health checks included), and the verified identity and request facts.
 */
export function subgraphHeaders(
  subgraphSecret: string,
  facts: SubgraphRequestFacts | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { [SUBGRAPH_SECRET_HEADER]: subgraphSecret };
  if (facts?.forwardToken) headers.authorization = `Bearer ${facts.forwardToken}`;
  if (facts?.requestId) headers['x-request-id'] = facts.requestId;
  if (facts?.forwardedFor) headers['x-forwarded-for'] = facts.forwardedFor;
  if (facts?.userAgent) headers['user-agent'] = facts.userAgent;
  return headers;
}

/**
 * Apollo Gateway's requests to a subgraph, with `subgraphHeaders`. A request the forwarding path
 * sent already is answered with what the subgraph answered it (`answeringFetcher`).
 */
class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    private readonly serviceName: string,
    private readonly subgraphSecret: string,
  ) {
    super(config);
  }

  override process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']> {
    const answer = options.context?.answer;
    if (!answer || answer.used || answer.serviceName !== this.serviceName)
      return super.process(options);
    // This data source, with a fetcher that gives the answer received for that request.
    const answering = Object.create(this, {
      fetcher: { value: answeringFetcher(answer, this.fetcher) },
    }) as this;
    return super.process.call(answering, options);
  }

  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    for (const [name, value] of Object.entries(subgraphHeaders(this.subgraphSecret, context)))
      headers.set(name, value);
  }
}

/**
 * X-Forwarded-For as the subgraphs get it (the header contract of libs/service-kit): the
 * entries the gateway received, then the client address it determined with TRUST_PROXY, last.
 * A client cannot choose that last entry: whatever it wrote stays to the left of it.
 */
export function forwardedFor(
  received: string | string[] | undefined,
  clientIp: string | undefined,
): string | undefined {
  const entries = (Array.isArray(received) ? received.join(',') : (received ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (clientIp) entries.push(clientIp);
  return entries.length ? entries.join(', ') : undefined;
}

export interface GatewayDeps {
  config: GatewayConfig;
  authenticator: EdgeAuthenticator;
  logger: Logger;
  metrics?: Metrics;
  /** The time (milliseconds), for the JWKS cache; tests move it. */
  now?: () => number;
  /** Where the rate limits are counted (a RateLimiter on GATEWAY_DATABASE_URL); none: no limits. */
  rateLimitStore?: RateLimitStore;
}

/**
 * The one public GraphQL endpoint: Apollo Gateway over the supergraph, authentication at the
 * edge, and the hardening a public GraphQL API needs (depth/alias/token/cost/directive limits,
 * no field suggestions or introspection in production, CSRF prevention, body size limit, CORS).
 */
export async function createGateway(deps: GatewayDeps) {
  const { config, logger } = deps;
  const urlOf = (name: string, url: string) => config.subgraphUrls[name] ?? url;
  // One connection pool per subgraph, closed when the gateway stops.
  const subgraphs = new Map<string, { url: string; client: SubgraphHttpClient }>();
  const subgraphClients: SubgraphHttpClient[] = [];
  const subgraphClient = (name: string, url: string) => {
    const client = new SubgraphHttpClient(url, {
      idleTimeoutMs: config.SUBGRAPH_IDLE_TIMEOUT_MS,
      onRetry: ({ reason }) =>
        logger.warn({ subgraph: name, reason }, 'subgraph connection reset; query sent again'),
    });
    subgraphClients.push(client);
    subgraphs.set(name, { url, client });
    return client;
  };
  const forwardedOperations = new ForwardedOperations();
  const gateway = new ApolloGateway({
    ...(config.SUPERGRAPH_MODE === 'static'
      ? { supergraphSdl: readFileSync(config.SUPERGRAPH_FILE, 'utf8') }
      : {
          // Development: compose from the running subgraphs given as SUBGRAPH_<NAME>_URL.
          supergraphSdl: new IntrospectAndCompose({
            introspectionHeaders: { [SUBGRAPH_SECRET_HEADER]: config.subgraphSecret },
            subgraphs: SUBGRAPHS.filter((s) => s.name in config.subgraphUrls).map((s) => ({
              name: s.name,
              url: urlOf(s.name, s.url),
            })),
          }),
        }),
    ...(config.FORWARD_OPERATIONS
      ? { experimental_didResolveQueryPlan: forwardedOperations.didResolveQueryPlan }
      : {}),
    buildService: ({ name, url }) => {
      const target = urlOf(name, url ?? '');
      return new AuthenticatedDataSource(
        { url: target, fetcher: subgraphClient(name, target).fetch },
        name,
        config.subgraphSecret,
      );
    },
  });

  // A plan is the supergraph's: a new one (compose mode) forgets them all.
  gateway.onSchemaLoadOrUpdate(() => forwardedOperations.clear());

  // The same limits as every subgraph's (libs/service-kit graphql-limits).
  const armor = new ApolloArmor(
    graphqlArmorConfig(config, { blockFieldSuggestion: !config.introspection }),
  );
  const protection = armor.protect();
  let ready = false;
  // Nothing is planned or sent to a subgraph before the request's count is in (refused: 429).
  const admission: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue }) {
          await contextValue.admitted;
        },
      };
    },
  };
  const readiness: ApolloServerPlugin<GatewayContext> = {
    async serverWillStart() {
      return {
        async serverWillStop() {
          ready = false;
        },
      };
    },
  };
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...protection,
    plugins: [
      ...protection.plugins,
      admission,
      graphqlLogging(logger) as ApolloServerPlugin<GatewayContext>,
      readiness,
      ...(config.introspection ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
    introspection: config.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
  });
  await apollo.start();
  ready = true;

  const rateLimiter = new EdgeRateLimiter(deps.rateLimitStore, config);
  /** Counts the request; a failing store lets it through (logged) rather than failing it. */
  const admit = async (principal: Principal | undefined, clientIp: string | undefined) => {
    try {
      await rateLimiter.admit(principal, clientIp);
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      logger.error({ err: error }, 'rate limit store unavailable; request let through');
    }
  };

  /** The request's id and forwarding facts (the same on either path of a request). */
  const requestFacts = (req: express.Request, res: express.Response) =>
    (res.locals.requestFacts ??= {
      requestId: String(
        res.getHeader('x-request-id') ?? req.headers['x-request-id'] ?? randomUUID(),
      ),
      forwardedFor: forwardedFor(req.headers['x-forwarded-for'], req.ip),
      userAgent: req.headers['user-agent'],
    }) as { requestId: string; forwardedFor?: string; userAgent?: string };

  /** Who is calling: verified once a request, whichever path asks first. */
  const identify = (req: express.Request, res: express.Response) =>
    (res.locals.identity ??= deps.authenticator.identify(
      req.headers.authorization,
    )) as Promise<EdgeIdentity>;

  const app = express();
  app.disable('x-powered-by');
  // Who may tell the gateway the client address (an ingress, a load balancer): TRUST_PROXY.
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.use(requestLogging({ logger, metrics: deps.metrics }));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });
  app.get('/health/live', (_req, res) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'stopping' });
  });
  app.get('/health/ready', async (_req, res) => {
    // Ready = supergraph loaded and every subgraph answering. The answer is public: it says
    // up or down, never why (the reason, which names internal addresses, goes to the log).
    res.setHeader('Cache-Control', 'no-store');
    if (!ready) return void res.status(503).json({ status: 'stopping' });
    try {
      await gateway.serviceHealthCheck();
      res.status(200).json({ status: 'ok', details: { subgraphs: { status: 'up' } } });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed: a subgraph does not answer');
      res.status(503).json({ status: 'error', details: { subgraphs: { status: 'down' } } });
    }
  });
  // No /metrics here: main.ts serves them on METRICS_PORT, for the scraper only.

  // The token verification keys on the public origin (accounts is not reachable from there).
  const jwks = new JwksPublisher({
    upstreamUrl: config.AUTH_JWKS_URL,
    maxCacheSeconds: config.JWKS_CACHE_SECONDS,
    staleIfErrorSeconds: config.JWKS_STALE_IF_ERROR_SECONDS,
    now: deps.now,
    onStale: (error) =>
      logger.warn({ err: error }, 'accounts JWKS unreadable; serving the last copy'),
  });
  app.get('/.well-known/jwks.json', async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    try {
      const published = await jwks.current();
      res.setHeader('Cache-Control', `public, max-age=${published.maxAgeSeconds}`);
      res.setHeader('ETag', published.etag);
      if (req.headers['if-none-match'] === published.etag) return void res.status(304).end();
      res.type('application/jwk-set+json').send(published.body);
    } catch (error) {
      logger.error({ err: error }, 'accounts JWKS unreadable and no copy to serve');
      res.setHeader('Cache-Control', 'no-store');
      res.status(503).type('application/problem+json').json({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        code: 'JWKS_UNAVAILABLE',
        detail: 'The signing keys are unavailable; try again shortly.',
      });
    }
  });
  app.get('/.well-known/openid-configuration', (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    // Without a configured public URL the origin comes from the request: never cache that.
    res.setHeader('Cache-Control', config.GATEWAY_PUBLIC_URL ? 'public, max-age=3600' : 'no-store');
    const origin = config.GATEWAY_PUBLIC_URL ?? `${req.protocol}://${req.get('host')}`;
    res.json(openIdConfiguration(config.AUTH_ISSUER, origin));
  });
  // Export and audit log downloads: streamed from compliance (signed links, no session).
  app.use(
    '/downloads',
    downloadsProxy({
      upstreamUrl: complianceBaseUrl(
        config.subgraphUrls.compliance ??
          SUBGRAPHS.find((s) => s.name === 'compliance')?.url ??
          'http://127.0.0.1:4104/graphql',
      ),
      admit: (clientIp) => admit(undefined, clientIp),
    }),
  );
  // Contact import uploads (PUT/POST, streamed) and their reports: to messaging (signed links
  // from createContactImport, no session).
  app.use(
    '/uploads',
    downloadsProxy({
      upstreamUrl: complianceBaseUrl(
        config.subgraphUrls.messaging ??
          SUBGRAPHS.find((s) => s.name === 'messaging')?.url ??
          'http://127.0.0.1:4103/graphql',
      ),
      admit: (clientIp) => admit(undefined, clientIp),
      methods: ['GET', 'HEAD', 'PUT', 'POST'],
      timeoutMs: 600_000,
    }),
  );
  // Stored inbound MMS media: from messaging (short-lived signed links of Message.media.storedUrl).
  app.use(
    '/media',
    downloadsProxy({
      upstreamUrl: complianceBaseUrl(
        config.subgraphUrls.messaging ??
          SUBGRAPHS.find((s) => s.name === 'messaging')?.url ??
          'http://127.0.0.1:4103/graphql',
      ),
      admit: (clientIp) => admit(undefined, clientIp),
    }),
  );
  // The web console's session cookie (refresh token out of the page's reach).
  app.use(
    '/console/session',
    consoleSession({
      allowInsecureCookie: isDevelopmentMode(config),
      admit: (clientIp) => admit(undefined, clientIp),
      async refresh(refreshToken, req) {
        const result = await apollo.executeOperation<{ refreshSession: RefreshedSession }>(
          {
            query:
              'mutation ConsoleRefresh($token: String!) { refreshSession(refreshToken: $token) { accessToken refreshToken expiresIn } }',
            variables: { token: refreshToken },
          },
          {
            contextValue: {
              requestId: randomUUID(),
              clientIp: req.ip,
              forwardedFor: forwardedFor(req.headers['x-forwarded-for'], req.ip),
              userAgent: req.headers['user-agent'],
            },
          },
        );
        const body = result.body.kind === 'single' ? result.body.singleResult : undefined;
        if (!body?.data?.refreshSession || body.errors?.length) throw new Error('refresh refused');
        return body.data.refreshSession;
      },
    }),
  );
  app.use(
    '/graphql',
    cors({
      origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false,
      credentials: true,
      maxAge: 600,
    }),
    express.json({ limit: config.BODY_LIMIT }),
    ...(config.FORWARD_OPERATIONS
      ? [
          operationForwarding({
            operations: forwardedOperations,
            subgraph: (name) => subgraphs.get(name),
            identify,
            admit,
            factsOf: requestFacts,
            subgraphHeaders: (facts) => subgraphHeaders(config.subgraphSecret, facts),
            logger,
          }),
        ]
      : []),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const facts = { clientIp: req.ip, ...requestFacts(req, res) };
        // The forwarding path identified and counted this request before handing it on.
        const edge = res.locals.edge as EdgeAdmission | undefined;
        if (edge)
          return { ...edge.identity, ...facts, admitted: edge.admitted, answer: edge.answer };
        let identity: EdgeIdentity;
        try {
          identity = await identify(req, res);
        } catch (error) {
          // Refused credentials count against the client address (guessing API tokens).
          await admit(undefined, req.ip);
          throw error;
        }
        const admitted = admit(identity.principal, req.ip);
        admitted.catch(() => undefined); // awaited by the admission plugin (or never: a bad query)
        return { ...identity, ...facts, admitted };
      },
    }),
  );
  // The web console (dist/console), same origin, under its CSP; last, so it shadows nothing.
  const webConsole = config.CONSOLE_DIR ? consoleStatic(config.CONSOLE_DIR) : null;
  if (webConsole) app.use(webConsole);
  else if (config.CONSOLE_DIR) logger.warn('CONSOLE_DIR holds no console build; not serving it');
  // Oversized or malformed bodies: a clear 4xx in GraphQL's error shape.
  app.use(
    (
      error: { status?: number; type?: string; message: string },
      _req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (res.headersSent) return next(error);
      const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
      const code =
        status === 413
          ? 'PAYLOAD_TOO_LARGE'
          : status < 500
            ? 'BAD_REQUEST'
            : 'INTERNAL_SERVER_ERROR';
      const message =
        status === 413
          ? 'Request body too large'
          : status < 500
            ? 'Malformed request body'
            : 'Internal server error';
      res.status(status).json({ errors: [{ message, extensions: { code } }] });
    },
  );

  let server: Server | undefined;
  return {
    app,
    gateway,
    async listen(port: number, host = '0.0.0.0'): Promise<number> {
      server = await new Promise<Server>((resolve) => {
        const s = app.listen(port, host, () => resolve(s));
      });
      // headersTimeout above keepAliveTimeout, as Node requires (see libs/service-kit).
      server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
      server.headersTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS + 1_000;
      const address = server.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    async stop(): Promise<void> {
      ready = false;
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await apollo.stop();
      for (const client of subgraphClients) client.close();
    },
  };
}
