import type { DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { graphqlContext } from '@switchboard/auth';
import { isDevelopmentMode } from '@switchboard/config';
import { formatGraphQLError } from '@switchboard/errors';
import { graphqlLogging, type Logger } from '@switchboard/observability';

/** The accounts subgraph: Federation 2, schema from the resolvers, errors and logs of the libs. */
export function accountsGraphQLModule(
  config: { NODE_ENV?: string },
  logger: Logger,
): DynamicModule {
  return GraphQLModule.forRoot<ApolloFederationDriverConfig>({
    driver: ApolloFederationDriver,
    autoSchemaFile: { federation: 2 },
    sortSchema: true,
    context: graphqlContext,
    formatError: formatGraphQLError,
    introspection: isDevelopmentMode(config),
    // No Apollo Studio traces: the platform traces with OpenTelemetry.
    // (Cast: @apollo/server's CJS and ESM typings of one plugin type differ.)
    plugins: [graphqlLogging(logger), ApolloServerPluginInlineTraceDisabled() as never],
  });
}
