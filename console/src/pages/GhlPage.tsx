import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { ConsoleGhlQuery } from '../gql/graphql';
import { errorText } from '../errors';

const GHL = graphql(`
  query ConsoleGhl {
    ghlInstallations {
      id
      kind
      companyId
      locationId
      status
      tokenExpiresAt
      installedAt
      uninstalledAt
      lastError
      lastErrorAt
      locations {
        id
        locationId
        status
        installedAt
        lastError
      }
    }
  }
`);

const REQUESTS = graphql(`
  query ConsoleGhlRequests($first: Int, $after: String, $locationId: String) {
    ghlRequestLog(first: $first, after: $after, locationId: $locationId) {
      edges {
        node {
          id
          locationId
          operation
          method
          path
          status
          durationMs
          error
          at
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const INSTALL_LINK = graphql(`
  mutation ConsoleGhlInstallLink {
    ghlInstallLink {
      url
    }
  }
`);

const TEST = graphql(`
  mutation ConsoleTestGhlConnection($locationId: ID!) {
    testGhlConnection(locationId: $locationId) {
      ok
      status
      error
      durationMs
    }
  }
`);

type Installation = ConsoleGhlQuery['ghlInstallations'][number];

export function GhlPage() {
  const { data, error } = useQuery(GHL, { pollInterval: 10_000 });
  const [installLink, linking] = useMutation(INSTALL_LINK);
  const [problem, setProblem] = useState<string | null>(null);

  const install = async () => {
    setProblem(null);
    try {
      const { data: link } = await installLink();
      // GHL's marketplace: choose the locations there; GHL then calls our OAuth callback.
      if (link) location.assign(link.ghlInstallLink.url);
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  // Locations: installed on their own, or under an agency install.
  const locations = (data?.ghlInstallations ?? []).flatMap((i) =>
    i.kind === 'COMPANY'
      ? i.locations.map((l) => ({ ...l, companyId: i.companyId, agency: true }))
      : i.locationId
        ? [{ ...i, agency: false }]
        : [],
  );

  return (
    <section aria-labelledby="ghl-title">
      <h1 id="ghl-title">GoHighLevel</h1>
      <p className="muted">
        Install the Switchboard app on your GoHighLevel locations: their SMS then go through your
        phones and carriers, with statuses and replies back in GoHighLevel.
      </p>
      <button type="button" onClick={() => void install()} disabled={linking.loading}>
        Install on GoHighLevel
      </button>
      {problem && <p role="alert">{problem}</p>}
      {error && <p role="alert">{errorText(error)}</p>}
      <h2>Installations</h2>
      {data && data.ghlInstallations.length === 0 && <p>Not installed yet.</p>}
      {data?.ghlInstallations
        .filter((i) => i.kind === 'COMPANY')
        .map((i) => (
          <p key={i.id}>
            Agency <code>{i.companyId}</code>:{' '}
            <span className="badge" data-status={i.status}>
              {i.status}
            </span>
            {i.lastError ? ` · last error: ${i.lastError}` : ''}
          </p>
        ))}
      {locations.length > 0 && (
        <table>
          <caption className="visually-hidden">Installed locations</caption>
          <thead>
            <tr>
              <th scope="col">Location</th>
              <th scope="col">Status</th>
              <th scope="col">Installed</th>
              <th scope="col">Last error</th>
              <th scope="col">Connection</th>
            </tr>
          </thead>
          <tbody>
            {locations.map((l) => (
              <LocationRow key={l.id} location={l} />
            ))}
          </tbody>
        </table>
      )}
      <RequestLog />
    </section>
  );
}

function LocationRow(props: {
  location: Pick<Installation, 'id' | 'locationId' | 'status' | 'installedAt' | 'lastError'> & {
    agency: boolean;
  };
}) {
  const l = props.location;
  const [test, testing] = useMutation(TEST);
  const [problem, setProblem] = useState<string | null>(null);
  const result = testing.data?.testGhlConnection;
  return (
    <tr data-location={l.locationId}>
      <td>
        <code>{l.locationId}</code>
        {l.agency ? ' (agency)' : ''}
      </td>
      <td>
        <span className={`badge status-${l.status === 'ACTIVE' ? 'online' : 'offline'}`}>
          {l.status}
        </span>
      </td>
      <td>{new Date(l.installedAt).toLocaleString()}</td>
      <td className="body">{l.lastError ?? '—'}</td>
      <td>
        {l.status === 'ACTIVE' && l.locationId && (
          <button
            type="button"
            className="secondary"
            disabled={testing.loading}
            onClick={() =>
              void test({ variables: { locationId: l.locationId! } }).catch((e: unknown) =>
                setProblem(errorText(e)),
              )
            }
          >
            Test {l.locationId}
          </button>
        )}
        {result && (
          <p role="status" data-testid="ghl-test">
            {result.ok
              ? `OK (${result.durationMs} ms)`
              : `Failed${result.status ? ` (HTTP ${result.status})` : ''}: ${result.error ?? 'no answer'}`}
          </p>
        )}
        {problem && <p role="alert">{problem}</p>}
      </td>
    </tr>
  );
}

function RequestLog() {
  const { data, error, fetchMore, refetch } = useQuery(REQUESTS, {
    variables: { first: 25 },
    pollInterval: 10_000,
  });
  if (error) return <p role="alert">{errorText(error)}</p>;
  if (!data) return null;
  const edges = data.ghlRequestLog.edges;
  return (
    <>
      <h2>Requests to GoHighLevel</h2>
      <button type="button" className="secondary" onClick={() => void refetch()}>
        Refresh the log
      </button>
      {edges.length === 0 ? (
        <p>No requests yet.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Requests to GoHighLevel</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Location</th>
              <th scope="col">Operation</th>
              <th scope="col">Request</th>
              <th scope="col">Status</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {edges.map(({ node: r }) => (
              <tr key={r.id}>
                <td>{new Date(r.at).toLocaleString()}</td>
                <td>{r.locationId ?? '—'}</td>
                <td>{r.operation}</td>
                <td className="body">
                  {r.method} {r.path}
                </td>
                <td>{r.status ?? r.error ?? '—'}</td>
                <td>{r.durationMs} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.ghlRequestLog.pageInfo.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void fetchMore({
              variables: { after: data.ghlRequestLog.pageInfo.endCursor },
              updateQuery: (previous, { fetchMoreResult }) => ({
                ghlRequestLog: {
                  ...fetchMoreResult.ghlRequestLog,
                  edges: [...previous.ghlRequestLog.edges, ...fetchMoreResult.ghlRequestLog.edges],
                },
              }),
            })
          }
        >
          Older requests
        </button>
      )}
    </>
  );
}
