import { useState, type FormEvent } from 'react';
import { useLazyQuery, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { AuditLogFilterInput } from '../gql/graphql';
import { errorText } from '../errors';
import { describeVerification } from '../audit-chain';

const AUDIT_LOG = graphql(`
  query ConsoleAuditLog($filter: AuditLogFilterInput, $first: Int, $after: String) {
    auditLog(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          sequence
          occurredAt
          actorType
          actorId
          action
          resourceType
          resourceId
          outcome
          privileged
          reason
          metadata {
            key
            value
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const VERIFY = graphql(`
  query ConsoleVerifyAuditChain {
    verifyAuditChain {
      ok
      checkedEntries
      anchorSequence
      headSequence
      prunedEntries
      firstBrokenAt {
        sequence
        id
        reason
        expected
        found
      }
    }
  }
`);

const PAGE_SIZE = 25;

/** A datetime-local value (the browser's time zone) as an ISO instant; empty: none. */
function instant(value: FormDataEntryValue | null): string | undefined {
  const text = String(value ?? '');
  return text ? new Date(text).toISOString() : undefined;
}

export function AuditLogPage() {
  const [filter, setFilter] = useState<AuditLogFilterInput>({});
  const { data, error, fetchMore, loading, refetch } = useQuery(AUDIT_LOG, {
    variables: { filter, first: PAGE_SIZE },
  });
  const [verify, verification] = useLazyQuery(VERIFY, { fetchPolicy: 'network-only' });
  const [moreError, setMoreError] = useState<string | null>(null);

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const next: AuditLogFilterInput = {
      action: text('action'),
      resourceType: text('resourceType'),
      actorId: text('actorId'),
      from: instant(form.get('from')),
      to: instant(form.get('to')),
    };
    setMoreError(null);
    // The same filter again: fetched again (new entries arrive all the time).
    if (JSON.stringify(next) === JSON.stringify(filter))
      void refetch({ after: undefined }).catch((e: unknown) => setMoreError(errorText(e)));
    else setFilter(next);
  }

  const result = verification.data?.verifyAuditChain;
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <div className="card">
        <h2>Chain verification</h2>
        <p className="muted">
          Each entry carries the hash of the one before it: a changed, removed or inserted entry
          breaks the chain from there on.
        </p>
        <button type="button" onClick={() => void verify()} disabled={verification.loading}>
          Verify the chain
        </button>
        {verification.error && <p role="alert">{errorText(verification.error)}</p>}
        {result && (
          <p
            role="status"
            data-testid="chain-result"
            data-ok={result.ok}
            className={result.ok ? 'status-delivered badge' : 'status-failed badge'}
          >
            {describeVerification(result)}
          </p>
        )}
        {result?.firstBrokenAt && (
          <dl className="muted">
            <dt>Expected</dt>
            <dd className="token">{result.firstBrokenAt.expected}</dd>
            <dt>Found</dt>
            <dd className="token">{result.firstBrokenAt.found}</dd>
          </dl>
        )}
      </div>
      <form onSubmit={apply} className="filters" aria-label="Filters">
        <label>
          Action
          <input name="action" placeholder="device.remove" />
        </label>
        <label>
          Resource type
          <input name="resourceType" placeholder="device" />
        </label>
        <label>
          Actor id
          <input name="actorId" />
        </label>
        <label>
          From
          <input name="from" type="datetime-local" />
        </label>
        <label>
          Until
          <input name="to" type="datetime-local" />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && <p role="alert">{errorText(error)}</p>}
      {data && data.auditLog.edges.length === 0 && !loading && <p>No entries.</p>}
      {data && data.auditLog.edges.length > 0 && (
        <table>
          <caption className="visually-hidden">Audit log entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Resource</th>
              <th scope="col">Actor</th>
              <th scope="col">Outcome</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {data.auditLog.edges.map(({ node }) => (
              <tr key={node.id} data-sequence={node.sequence}>
                <td>{node.sequence}</td>
                <td>{new Date(node.occurredAt).toLocaleString()}</td>
                <td>{node.action}</td>
                <td>
                  {node.resourceType}
                  {node.resourceId ? ` ${node.resourceId}` : ''}
                </td>
                <td>
                  {node.actorType.toLowerCase()} {node.actorId}
                  {node.privileged ? ` (platform admin: ${node.reason ?? 'no reason'})` : ''}
                </td>
                <td>{node.outcome}</td>
                <td className="body">
                  {node.metadata.map((m) => `${m.key}=${m.value}`).join(', ') || '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {moreError && <p role="alert">{moreError}</p>}
      {data?.auditLog.pageInfo.hasNextPage && (
        <button
          type="button"
          onClick={() => {
            setMoreError(null);
            fetchMore({
              variables: { after: data.auditLog.pageInfo.endCursor },
              updateQuery: (previous, { fetchMoreResult }) => ({
                auditLog: {
                  ...fetchMoreResult.auditLog,
                  edges: [...previous.auditLog.edges, ...fetchMoreResult.auditLog.edges],
                },
              }),
            }).catch((e: unknown) => setMoreError(errorText(e)));
          }}
        >
          Older entries
        </button>
      )}
    </section>
  );
}
