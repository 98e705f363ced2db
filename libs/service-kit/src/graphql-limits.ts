import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import { env, z } from '@switchboard/config';

type GraphQLArmorConfig = NonNullable<ConstructorParameters<typeof ApolloArmor>[0]>;

/**
 * The limits every GraphQL endpoint applies, the gateway's and each subgraph's alike: a caller
 * who reaches a subgraph directly meets the same depth/alias/token/cost/directive limits as at
 * the gateway. Spread into a config shape (the kit's httpConfigShape carries them).
 */
export const graphqlLimitsConfigShape = {
  /** Deepest selection (fragments followed). */
  MAX_DEPTH: env.int(12).pipe(z.number().int().min(1)),
  /** Aliases per operation. */
  MAX_ALIASES: env.int(20).pipe(z.number().int().min(0)),
  /** Lexer tokens of a document (refused while parsing, before any validation). */
  MAX_TOKENS: env.int(3000).pipe(z.number().int().min(1)),
  /** graphql-armor's cost estimate of an operation. */
  COST_LIMIT: env.int(10_000).pipe(z.number().int().min(1)),
  /** Directives per operation. */
  MAX_DIRECTIVES: env.int(50).pipe(z.number().int().min(0)),
};

export interface GraphQLLimits {
  MAX_DEPTH: number;
  MAX_ALIASES: number;
  MAX_TOKENS: number;
  COST_LIMIT: number;
  MAX_DIRECTIVES: number;
}

/** The defaults of graphqlLimitsConfigShape, for configs that do not carry the variables. */
export const DEFAULT_GRAPHQL_LIMITS: GraphQLLimits = {
  MAX_DEPTH: 12,
  MAX_ALIASES: 20,
  MAX_TOKENS: 3000,
  COST_LIMIT: 10_000,
  MAX_DIRECTIVES: 50,
};

/** The one graphql-armor configuration of these limits (the gateway's ApolloArmor uses it). */
export function graphqlArmorConfig(
  limits: GraphQLLimits,
  options: { blockFieldSuggestion?: boolean } = {},
): GraphQLArmorConfig {
  return {
    maxDepth: { n: limits.MAX_DEPTH },
    maxAliases: { n: limits.MAX_ALIASES },
    maxTokens: { n: limits.MAX_TOKENS },
    costLimit: { maxCost: limits.COST_LIMIT },
    maxDirectives: { n: limits.MAX_DIRECTIVES },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestion ?? false },
  };
}

/**
 * The validation rules of these limits (depth, aliases, cost, directives) for a subgraph's own
 * check; the token limit is `parse(query, { maxTokens })`.
 */
export function graphqlLimitRules(limits: GraphQLLimits): ValidationRule[] {
  return new ApolloArmor(graphqlArmorConfig(limits)).protect().validationRules;
}
