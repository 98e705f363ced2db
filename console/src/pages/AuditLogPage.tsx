import { useState, type FormEvent } from 'react';
import { useLazyQuery, useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { AuditLogFilterInput } from '../gql/graphql';
import { errorText, shownAbove } from '../errors';
import { describeVerification } from '../audit-chain';
import { consoleDownloadPath } from '../privacy';

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

const EXPORT = graphql(`
  mutation ConsoleExportAuditLog($filter: AuditLogFilterInput) {
    exportAuditLog(filter: $filter) {
      id
      url
      expiresAt
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
  const [exportLog, exported] = useMutation(EXPORT);
  const exportLink = exported.data ? consoleDownloadPath(exported.data.exportAuditLog.url) : null;

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
    // An earlier export link was for the earlier filter.
    exported.reset();
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
      <div className="card" aria-labelledby="audit-export-title">
        <h2 id="audit-export-title">Export</h2>
        <p className="muted">
          The entries matching the filter above (all of them, not only this page), oldest first, as
          JSON lines with their hashes, so the file can be verified without us. Owners only.
        </p>
        <button
          type="button"
          disabled={exported.loading}
          // A refusal shows in exported.error (the alert below).
          onClick={() => void exportLog({ variables: { filter } }).catch(shownAbove)}
        >
          Export the audit log
        </button>
        {exported.error && <p role="alert">{errorText(exported.error)}</p>}
        {exported.data && (
          <p role="status">
            {exportLink ? (
              <a href={exportLink} download>
                Download the audit log export
              </a>
            ) : (
              'The export link is not one the console can open.'
            )}{' '}
            <span className="muted">
              (link valid until {new Date(exported.data.exportAuditLog.expiresAt).toLocaleString()})
            </span>
          </p>
        )}
      </div>
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
          // Not while the list is fetched again (a filter): that answer would replace the page
          // appended meanwhile.
          disabled={loading}
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
