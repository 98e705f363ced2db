import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { accessToken } from './session';

const auth = new SetContextLink(async (previous) => {
  const token = await accessToken();
  return {
    headers: { ...previous.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  };
});

/** Apollo Client against the gateway's /graphql on the same origin. */
export const apollo = new ApolloClient({
  link: ApolloLink.from([auth, new HttpLink({ uri: '/graphql', credentials: 'omit' })]),
  cache: new InMemoryCache(),
  defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
});
