import type { DynamicModule, Type } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { graphqlContext } from '@switchboard/auth';
import { isDevelopmentMode } from '@switchboard/config';
import { formatGraphQLError } from '@switchboard/errors';
import { graphqlLogging, type Logger } from '@switchboard/observability';

export interface SubgraphGraphQLOptions {
  /** Logs each operation (name, duration, outcome); none without a logger. */
  logger?: Logger;
  /** Entities of other subgraphs this one only extends (key stubs no query returns). */
  orphanedTypes?: Type[];
  /**
   * Runs guards on @ResolveField too: needed when an extended entity's field is reached
   * through `_entities`, a root field Nest does not guard.
   */
  guardFieldResolvers?: boolean;
}

/**
 * The options of every subgraph's GraphQLModule: Federation 2, the schema from the resolvers
 * (sorted), the principal in the context, errors formatted by libs/errors, introspection only
 * in development and tests, no Apollo inline traces (the platform traces with OpenTelemetry).
 */
export function subgraphGraphQLOptions(
  config: { NODE_ENV?: string },
  options: SubgraphGraphQLOptions = {},
): ApolloFederationDriverConfig {
  return {
    driver: ApolloFederationDriver,
    autoSchemaFile: { federation: 2 },
    sortSchema: true,
    ...(options.orphanedTypes?.length
      ? { buildSchemaOptions: { orphanedTypes: options.orphanedTypes } }
      : {}),
    ...(options.guardFieldResolvers ? { fieldResolverEnhancers: ['guards' as const] } : {}),
    context: graphqlContext,
    formatError: formatGraphQLError,
    introspection: isDevelopmentMode(config),
    // (Cast: @apollo/server's CJS and ESM typings of one plugin type differ.)
    plugins: [
      ...(options.logger ? [graphqlLogging(options.logger)] : []),
      ApolloServerPluginInlineTraceDisabled() as never,
    ],
  };
}

/** A subgraph's GraphQLModule (see subgraphGraphQLOptions). */
export function subgraphGraphQL(
  config: { NODE_ENV?: string },
  options: SubgraphGraphQLOptions = {},
): DynamicModule {
  return GraphQLModule.forRoot<ApolloFederationDriverConfig>(
    subgraphGraphQLOptions(config, options),
  );
}
