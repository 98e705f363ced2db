import { ApolloLink, Observable } from '@apollo/client';
import { parse } from 'graphql';
import { createConsoleApollo } from './apollo';

// Plain documents (not `graphql`/`gql` tags): the console's codegen reads those against the API.
const INVITATIONS = parse(`
  query Invitations {
    invitations {
      id
      email
    }
  }
`);

/** A link whose answers the test gives, request by request. */
function heldLink() {
  const requests: { answer(emails: string[]): void }[] = [];
  const link = new ApolloLink(
    () =>
      new Observable((observer) => {
        requests.push({
          answer: (emails) => {
            observer.next({
              data: {
                invitations: emails.map((email) => ({
                  __typename: 'Invitation',
                  id: email,
                  email,
                })),
              },
            });
            observer.complete();
          },
        });
      }),
  );
  return { link, requests };
}

describe('the console’s Apollo Client', () => {
  it('refetches with a request of its own while an older one is in flight, and keeps the newer answer', async () => {
    const { link, requests } = heldLink();
    const client = createConsoleApollo(link);
    const query = client.watchQuery({ query: INVITATIONS });
    const seen: string[][] = [];
    const subscription = query.subscribe(({ data }) => {
      const list = (data as { invitations?: { email: string }[] } | undefined)?.invitations;
      if (list) seen.push(list.map((i) => i.email));
    });
    try {
      expect(requests).toHaveLength(1); // under way, read before the invitation was made
      // The page's refetch after its mutation: a request of its own, not the one under way.
      const refetched = query.refetch();
      expect(requests).toHaveLength(2);
      requests[1].answer(['a@example.com', 'new@example.com']);
      await refetched;
      requests[0].answer(['a@example.com']); // the older answer, late: dropped
      expect(seen.at(-1)).toEqual(['a@example.com', 'new@example.com']);
      const cached = client.readQuery({ query: INVITATIONS }) as {
        invitations: { email: string }[];
      };
      expect(cached.invitations.map((i) => i.email)).toEqual(['a@example.com', 'new@example.com']);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('replaces a late answer only with a newer one of the same query and variables', async () => {
    const { link, requests } = heldLink();
    const client = createConsoleApollo(link);
    const ONE = parse(`
      query One($id: ID!) {
        invitations(id: $id) {
          id
          email
        }
      }
    `);
    const first = client.query({ query: ONE, variables: { id: '1' }, fetchPolicy: 'no-cache' });
    const second = client.query({ query: ONE, variables: { id: '2' }, fetchPolicy: 'no-cache' });
    requests[1].answer(['two@example.com']);
    requests[0].answer(['one@example.com']);
    const emails = async (result: Promise<{ data: unknown }>) =>
      ((await result).data as { invitations: { email: string }[] }).invitations.map((i) => i.email);
    expect(await emails(first)).toEqual(['one@example.com']);
    expect(await emails(second)).toEqual(['two@example.com']);
  });
});
