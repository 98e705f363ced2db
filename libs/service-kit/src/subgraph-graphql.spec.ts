import { ApolloFederationDriver } from '@nestjs/apollo';
import { graphqlContext } from '@switchboard/auth';
import { formatGraphQLError } from '@switchboard/errors';
import { createLogger } from '@switchboard/observability';
import { subgraphGraphQL, subgraphGraphQLOptions } from './subgraph-graphql';

class Stub {}

describe('subgraphGraphQLOptions', () => {
  it('is Federation 2 with the platform context, errors and no inline traces', () => {
    const options = subgraphGraphQLOptions({ NODE_ENV: 'test' });
    expect(options).toMatchObject({
      driver: ApolloFederationDriver,
      autoSchemaFile: { federation: 2 },
      sortSchema: true,
      context: graphqlContext,
      formatError: formatGraphQLError,
      introspection: true,
    });
    expect(options.plugins).toHaveLength(1);
    expect(options.buildSchemaOptions).toBeUndefined();
    expect(options.fieldResolverEnhancers).toBeUndefined();
  });

  it('allows introspection only in development and tests', () => {
    expect(subgraphGraphQLOptions({ NODE_ENV: 'development' }).introspection).toBe(true);
    expect(subgraphGraphQLOptions({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(subgraphGraphQLOptions({}).introspection).toBe(false);
  });

  it("keeps a service's specifics", () => {
    const logger = createLogger({ service: 'spec', level: 'silent' });
    const options = subgraphGraphQLOptions(
      { NODE_ENV: 'test' },
      { logger, orphanedTypes: [Stub], guardFieldResolvers: true },
    );
    expect(options.buildSchemaOptions).toEqual({ orphanedTypes: [Stub] });
    expect(options.fieldResolverEnhancers).toEqual(['guards']);
    expect(options.plugins).toHaveLength(2);
  });

  it('makes the GraphQLModule', () => {
    expect(subgraphGraphQL({ NODE_ENV: 'test' }).module.name).toBe('GraphQLModule');
  });
});
