import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';

/** A request as a fixture subgraph received it. */
export interface SeenRequest {
  headers: IncomingHttpHeaders;
  body: { query: string; variables?: Record<string, unknown>; operationName?: string };
}

/**
 * A real Apollo subgraph (express + Apollo Server, as the services serve theirs) over the given
 * SDL and resolvers, recording every request it gets; resolvers see `{ auth }`, the
 * Authorization header it was called with.
 */
export async function fixtureSubgraph(
  typeDefs: string,
  resolvers: GraphQLResolverMap<{ auth?: string }>,
) {
  const seen: SeenRequest[] = [];
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers }]),
  });
  await apollo.start();
  const app = express();
  app.use(
    '/graphql',
    express.json(),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        seen.push({ headers: req.headers, body: req.body as SeenRequest['body'] });
        return { auth: req.headers.authorization };
      },
    }),
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    seen,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await apollo.stop();
    },
  };
}
