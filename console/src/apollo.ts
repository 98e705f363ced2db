import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, Observable } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { accessToken } from './session';

/**
 * Answers of a query in the order its requests were made: an answer that arrives after the
 * answer of a newer request of the same query and variables is replaced by that newer answer,
 * so a slow request that began before a change can't overwrite what a refetch read after it.
 * A query's newest answer is kept only while some request of it is under way.
 */
export function newestAnswerLink(): ApolloLink {
  let requests = 0;
  const queries = new Map<
    string,
    { underWay: number; newest?: { request: number; result: ApolloLink.Result } }
  >();
  return new ApolloLink((operation, forward) => {
    if (operation.operationType !== 'query') return forward(operation);
    const key = `${operation.operationName ?? ''} ${JSON.stringify(operation.variables)}`;
    const request = ++requests;
    return new Observable<ApolloLink.Result>((observer) => {
      const query = queries.get(key) ?? { underWay: 0 };
      queries.set(key, query);
      query.underWay++;
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        if (--query.underWay === 0) queries.delete(key);
      };
      const subscription = forward(operation).subscribe({
        next: (result) => {
          if (query.newest && query.newest.request > request) {
            return observer.next(query.newest.result);
          }
          query.newest = { request, result };
          observer.next(result);
        },
        error: (error) => {
          settle();
          observer.error(error);
        },
        complete: () => {
          settle();
          observer.complete();
        },
      });
      return () => {
        settle();
        subscription.unsubscribe();
      };
    });
  });
}

/**
 * The console's Apollo Client over `link`. Identical queries in flight are not deduplicated: a
 * page that refetches after its mutation gets an answer read after the mutation instead of
 * joining a request already under way, which can predate the change (a refetch then showed the
 * team without the member just invited); with newestAnswerLink, that older request's answer
 * can't undo the refetch's.
 */
export function createConsoleApollo(link: ApolloLink): ApolloClient {
  return new ApolloClient({
    link: ApolloLink.from([newestAnswerLink(), link]),
    cache: new InMemoryCache(),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
    queryDeduplication: false,
  });
}

const auth = new SetContextLink(async (previous) => {
  const token = await accessToken();
  return {
    headers: { ...previous.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  };
});

/** Apollo Client against the gateway's /graphql on the same origin. */
export const apollo = createConsoleApollo(
  ApolloLink.from([auth, new HttpLink({ uri: '/graphql', credentials: 'omit' })]),
);
