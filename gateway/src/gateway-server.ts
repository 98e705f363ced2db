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
import type { Logger } from 'pino';
import { graphqlLogging, requestLogging, type Metrics } from '@switchboard/observability';
import type { GatewayConfig } from './config';
import { EdgeAuthenticator, type EdgeIdentity } from './edge-auth';
import { SubgraphHttpClient } from './subgraph-http';
import { SUBGRAPHS } from './subgraphs';

export interface GatewayContext extends EdgeIdentity {
  requestId: string;
  clientIp?: string;
  userAgent?: string;
}

/** Forwards the verified identity and request facts to a subgraph. */
class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !context) return;
    if ('forwardToken' in context && context.forwardToken)
      headers.set('authorization', `Bearer ${context.forwardToken}`);
    if ('requestId' in context && context.requestId) headers.set('x-request-id', context.requestId);
    if ('clientIp' in context && context.clientIp) headers.set('x-forwarded-for', context.clientIp);
    if ('userAgent' in context && context.userAgent) headers.set('user-agent', context.userAgent);
  }
}

export interface GatewayDeps {
  config: GatewayConfig;
  authenticator: EdgeAuthenticator;
  logger: Logger;
  metrics?: Metrics;
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
  const subgraphClients: SubgraphHttpClient[] = [];
  const subgraphClient = (name: string, url: string) => {
    const client = new SubgraphHttpClient(url, {
      idleTimeoutMs: config.SUBGRAPH_IDLE_TIMEOUT_MS,
      onRetry: ({ reason }) =>
        logger.warn({ subgraph: name, reason }, 'subgraph connection reset; query sent again'),
    });
    subgraphClients.push(client);
    return client;
  };
  const gateway = new ApolloGateway({
    ...(config.SUPERGRAPH_MODE === 'static'
      ? { supergraphSdl: readFileSync(config.SUPERGRAPH_FILE, 'utf8') }
      : {
          // Development: compose from the running subgraphs given as SUBGRAPH_<NAME>_URL.
          supergraphSdl: new IntrospectAndCompose({
            subgraphs: SUBGRAPHS.filter((s) => s.name in config.subgraphUrls).map((s) => ({
              name: s.name,
              url: urlOf(s.name, s.url),
            })),
          }),
        }),
    buildService: ({ name, url }) => {
      const target = urlOf(name, url ?? '');
      return new AuthenticatedDataSource({
        url: target,
        fetcher: subgraphClient(name, target).fetch,
      });
    },
  });

  const armor = new ApolloArmor({
    maxDepth: { n: config.MAX_DEPTH },
    maxAliases: { n: config.MAX_ALIASES },
    maxTokens: { n: config.MAX_TOKENS },
    costLimit: { maxCost: config.COST_LIMIT },
    maxDirectives: { n: config.MAX_DIRECTIVES },
    blockFieldSuggestion: { enabled: !config.introspection },
  });
  const protection = armor.protect();
  let ready = false;
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

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
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
    // Ready = supergraph loaded and every subgraph answering.
    try {
      await gateway.serviceHealthCheck();
      res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'stopping' });
    } catch (error) {
      res.status(503).json({ status: 'error', error: (error as Error).message });
    }
  });
  if (deps.metrics) {
    const metrics = deps.metrics;
    app.get('/metrics', async (_req, res) => {
      res.setHeader('Content-Type', metrics.contentType);
      res.send(await metrics.exposition());
    });
  }
  app.use(
    '/graphql',
    cors({
      origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false,
      credentials: true,
      maxAge: 600,
    }),
    express.json({ limit: config.BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = String(
          res.getHeader('x-request-id') ?? req.headers['x-request-id'] ?? randomUUID(),
        );
        const identity = await deps.authenticator.identify(req.headers.authorization);
        return { ...identity, requestId, clientIp: req.ip, userAgent: req.headers['user-agent'] };
      },
    }),
  );
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
