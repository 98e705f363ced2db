import { DEVELOPMENT_SUBGRAPH_SECRET, SUBGRAPH_SECRET_HEADER } from '@switchboard/service-kit';

/** A GraphQL response as clients see it. */
export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/**
 * A small GraphQL-over-HTTP client for tests: `await gql(url).as(token).request(query, vars)`.
 * `expectData` throws with the errors when there are any; `errorCodes` lists extensions.code.
 * It sends the development subgraph secret (`x-subgraph-secret`), as the gateway does, so a
 * test can call a subgraph's `/graphql` directly (`.with({ 'x-subgraph-secret': … })` to
 * send another; the gateway ignores it).
 */
export function graphqlClient(url: string, token?: string, headers: Record<string, string> = {}) {
  return {
    as(newToken: string | undefined) {
      return graphqlClient(url, newToken, headers);
    },
    with(extra: Record<string, string>) {
      return graphqlClient(url, token, { ...headers, ...extra });
    },
    async request<T = Record<string, unknown>>(
      query: string,
      variables?: Record<string, unknown>,
    ): Promise<GraphQLResponse<T>> {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          // Apollo's CSRF prevention accepts JSON requests that also name an operation header.
          'apollo-require-preflight': 'true',
          [SUBGRAPH_SECRET_HEADER]: DEVELOPMENT_SUBGRAPH_SECRET,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      try {
        return JSON.parse(text) as GraphQLResponse<T>;
      } catch {
        throw new Error(`GraphQL endpoint answered ${response.status}: ${text.slice(0, 300)}`);
      }
    },
    async expectData<T = Record<string, unknown>>(
      query: string,
      variables?: Record<string, unknown>,
    ): Promise<T> {
      const result = await this.request<T>(query, variables);
      if (result.errors?.length || !result.data) {
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      }
      return result.data;
    },
    async errorCodes(query: string, variables?: Record<string, unknown>): Promise<string[]> {
      const result = await this.request(query, variables);
      return (result.errors ?? []).map((e) => String(e.extensions?.code));
    },
  };
}
export type GraphQLClient = ReturnType<typeof graphqlClient>;
