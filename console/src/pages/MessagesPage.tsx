import { useState, type FormEvent } from 'react';
import { useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { MessageDirection, MessageStatus, MessagesFilter } from '../gql/graphql';
import { StatusBadge } from './StatusBadge';
import { errorText } from '../errors';

const MESSAGES = graphql(`
  query ConsoleMessages($filter: MessagesFilter, $first: Int, $after: String) {
    messages(filter: $filter, first: $first, after: $after) {
      nodes {
        id
        direction
        status
        from
        to
        body
        segments
        createdAt
        error {
          code
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const STATUSES: MessageStatus[] = [
  'QUEUED',
  'SCHEDULED',
  'DISPATCHED',
  'SENT',
  'DELIVERED',
  'FAILED',
  'REJECTED',
  'EXPIRED',
  'CANCELED',
  'RECEIVED',
];

export function MessagesPage() {
  const [filter, setFilter] = useState<MessagesFilter>({});
  // Polled for live statuses while on the first page; a poll would drop the pages loaded with
  // "More" (it refetches the first page only), so those stop it until the filter changes.
  const [paged, setPaged] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const { data, error, fetchMore } = useQuery(MESSAGES, {
    variables: { filter, first: 50 },
    pollInterval: paged ? 0 : 5_000,
  });

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const status = String(form.get('status') || '');
    const direction = String(form.get('direction') || '');
    const to = String(form.get('to') || '').trim();
    setPaged(false);
    setFilter({
      ...(status ? { status: [status as MessageStatus] } : {}),
      ...(direction ? { direction: direction as MessageDirection } : {}),
      ...(to ? { to } : {}),
    });
  }

  return (
    <section aria-labelledby="messages-title">
      <h1 id="messages-title">Messages</h1>
      <form onSubmit={apply} className="filters" aria-label="Filters">
        <label>
          Status
          <select name="status" defaultValue="">
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Direction
          <select name="direction" defaultValue="">
            <option value="">Any</option>
            <option>OUTBOUND</option>
            <option>INBOUND</option>
          </select>
        </label>
        <label>
          To
          <input name="to" placeholder="+14155550123" />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && <p role="alert">{error.message}</p>}
      {data && (
        <table>
          <caption className="visually-hidden">Messages</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Direction</th>
              <th scope="col">From → To</th>
              <th scope="col">Text</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {data.messages.nodes.map((m) => (
              <tr key={m.id} data-message-id={m.id}>
                <td>{new Date(m.createdAt).toLocaleString()}</td>
                <td>{m.direction.toLowerCase()}</td>
                <td>
                  {m.from ?? '—'} → {m.to ?? '—'}
                </td>
                <td className="body">{m.body}</td>
                <td>
                  <StatusBadge status={m.status} />
                  {m.error ? ` ${m.error.code}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {moreError && <p role="alert">{moreError}</p>}
      {data?.messages.pageInfo.hasNextPage && (
        <button
          type="button"
          onClick={() => {
            setPaged(true);
            setMoreError(null);
            fetchMore({
              variables: { after: data.messages.pageInfo.endCursor },
              updateQuery: (previous, { fetchMoreResult }) => ({
                messages: {
                  ...fetchMoreResult.messages,
                  nodes: [...previous.messages.nodes, ...fetchMoreResult.messages.nodes],
                },
              }),
            }).catch((e: unknown) => setMoreError(errorText(e)));
          }}
        >
          More
        </button>
      )}
    </section>
  );
}
