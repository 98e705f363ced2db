import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { PrivacySubjectInput, PrivacySubjectKind } from '../gql/graphql';
import { errorText } from '../errors';
import { useIsOwner } from '../my-role';
import { consoleDownloadPath, erasureConfirmed } from '../privacy';

const REQUEST_EXPORT = graphql(`
  mutation ConsoleRequestDataExport($subject: PrivacySubjectInput!) {
    requestDataExport(subject: $subject) {
      id
    }
  }
`);

const REQUEST_ERASURE = graphql(`
  mutation ConsoleRequestErasure($subject: PrivacySubjectInput!, $confirmation: String!) {
    requestErasure(subject: $subject, confirmation: $confirmation) {
      id
    }
  }
`);

// The organization's requests: each one is in the audit log (owner), newest first.
const REQUESTS_IN_AUDIT_LOG = graphql(`
  query ConsolePrivacyRequestsInAuditLog {
    auditLog(filter: { resourceType: "privacy_request" }, first: 100) {
      nodes {
        resourceId
      }
    }
  }
`);

const REQUEST = graphql(`
  query ConsolePrivacyRequest($id: ID!) {
    privacyRequest(id: $id) {
      id
      kind
      status
      requestedAt
      completedAt
      subject {
        kind
        userId
        phoneNumber
      }
      participants {
        service
        confirmed
      }
      downloadUrl
      expiresAt
    }
  }
`);

function subjectText(subject: {
  kind: PrivacySubjectKind;
  userId?: string | null;
  phoneNumber?: string | null;
}) {
  if (subject.kind === 'ORGANIZATION') return 'the organization';
  if (subject.kind === 'PHONE_NUMBER') return subject.phoneNumber ?? 'a phone number';
  return `user ${subject.userId ?? ''}`;
}

/** One request, polled until every service has answered. */
function RequestRow({ id }: { id: string }) {
  const [done, setDone] = useState(false);
  const { data, error } = useQuery(REQUEST, {
    variables: { id },
    pollInterval: done ? 0 : 2_000,
  });
  const request = data?.privacyRequest;
  const completed = request?.status === 'COMPLETED';
  useEffect(() => {
    if (completed) setDone(true);
  }, [completed]);
  if (error)
    return (
      <tr>
        <td colSpan={5} role="alert">
          {id}: {errorText(error)}
        </td>
      </tr>
    );
  if (!request)
    return (
      <tr>
        <td colSpan={5}>Loading…</td>
      </tr>
    );
  const confirmed = request.participants.filter((p) => p.confirmed).length;
  const download = request.downloadUrl ? consoleDownloadPath(request.downloadUrl) : null;
  return (
    <tr data-request-id={request.id} data-status={request.status}>
      <td>{request.kind === 'EXPORT' ? 'Export' : 'Erasure'}</td>
      <td>{subjectText(request.subject)}</td>
      <td>{new Date(request.requestedAt).toLocaleString()}</td>
      <td>
        <span className={`badge status-${request.status === 'COMPLETED' ? 'delivered' : 'sent'}`}>
          {request.status}
        </span>{' '}
        <span className="muted">
          {confirmed}/{request.participants.length} services
        </span>
      </td>
      <td>
        {download ? (
          <a href={download} download>
            Download the export
          </a>
        ) : request.kind === 'EXPORT' && request.status === 'COMPLETED' ? (
          'Expired'
        ) : (
          '—'
        )}
        {download && request.expiresAt && (
          <span className="muted"> (until {new Date(request.expiresAt).toLocaleString()})</span>
        )}
      </td>
    </tr>
  );
}

export function PrivacyPage() {
  const isOwner = useIsOwner();
  const listed = useQuery(REQUESTS_IN_AUDIT_LOG, { skip: isOwner !== true, pollInterval: 5_000 });
  const [mine, setMine] = useState<string[]>([]);
  const [requestExport, exporting] = useMutation(REQUEST_EXPORT);
  const [requestErasure, erasing] = useMutation(REQUEST_ERASURE);
  const [exportKind, setExportKind] = useState<PrivacySubjectKind>('USER');
  const [exportProblem, setExportProblem] = useState<string | null>(null);
  const [erasureNumber, setErasureNumber] = useState('');
  const [erasureTyped, setErasureTyped] = useState('');
  const [erasureProblem, setErasureProblem] = useState<string | null>(null);
  const [erasureAsked, setErasureAsked] = useState<string | null>(null);

  const ids = [
    ...mine,
    ...(listed.data?.auditLog.nodes ?? []).flatMap((n) => (n.resourceId ? [n.resourceId] : [])),
  ].filter((id, index, all) => all.indexOf(id) === index);

  async function askExport(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setExportProblem(null);
    const form = new FormData(event.currentTarget);
    const subject: PrivacySubjectInput =
      exportKind === 'PHONE_NUMBER'
        ? { kind: 'PHONE_NUMBER', phoneNumber: String(form.get('phoneNumber') ?? '').trim() }
        : { kind: exportKind };
    try {
      const { data } = await requestExport({ variables: { subject } });
      if (data) setMine((ids) => [data.requestDataExport.id, ...ids]);
    } catch (e) {
      setExportProblem(errorText(e));
    }
  }

  async function askErasure(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErasureProblem(null);
    setErasureAsked(null);
    const phoneNumber = erasureNumber.replace(/\s+/g, '');
    try {
      const { data } = await requestErasure({
        variables: { subject: { kind: 'PHONE_NUMBER', phoneNumber }, confirmation: phoneNumber },
      });
      if (data) {
        setMine((ids) => [data.requestErasure.id, ...ids]);
        setErasureAsked(phoneNumber);
        setErasureNumber('');
        setErasureTyped('');
      }
    } catch (e) {
      setErasureProblem(errorText(e));
    }
  }

  return (
    <section aria-labelledby="privacy-title">
      <h1 id="privacy-title">Privacy</h1>
      <form onSubmit={askExport} className="card" aria-labelledby="export-title">
        <h2 id="export-title">Export data</h2>
        <p className="muted">
          Every service adds its part; the document is ready to download once all have answered.
        </p>
        <label>
          Whose data
          <select
            name="kind"
            value={exportKind}
            onChange={(e) => setExportKind(e.target.value as PrivacySubjectKind)}
          >
            <option value="USER">My own</option>
            {isOwner && <option value="ORGANIZATION">The whole organization</option>}
            {isOwner && <option value="PHONE_NUMBER">A phone number (a contact)</option>}
          </select>
        </label>
        {exportKind === 'PHONE_NUMBER' && (
          <label>
            Phone number to export (E.164)
            <input name="phoneNumber" required placeholder="+14155550123" autoComplete="off" />
          </label>
        )}
        {exportProblem && <p role="alert">{exportProblem}</p>}
        <button type="submit" disabled={exporting.loading}>
          Request the export
        </button>
      </form>
      {isOwner && (
        <form onSubmit={askErasure} className="card" aria-labelledby="erasure-title">
          <h2 id="erasure-title">Erase a contact</h2>
          <p className="muted">
            Erases or anonymizes the number’s messages, conversations and contact data in every
            service. Opt-outs are kept (a legal hold). This cannot be undone.
          </p>
          <label>
            Phone number to erase (E.164)
            <input
              name="erasureNumber"
              value={erasureNumber}
              onChange={(e) => setErasureNumber(e.target.value)}
              required
              autoComplete="off"
              placeholder="+14155550123"
            />
          </label>
          <label>
            Type the number again to confirm
            <input
              name="erasureConfirmation"
              value={erasureTyped}
              onChange={(e) => setErasureTyped(e.target.value)}
              autoComplete="off"
              aria-describedby="erasure-confirm-hint"
            />
            <span id="erasure-confirm-hint" className="muted">
              The erase button works once both match.
            </span>
          </label>
          {erasureProblem && <p role="alert">{erasureProblem}</p>}
          {erasureAsked && <p role="status">Erasure of {erasureAsked} requested.</p>}
          <button
            type="submit"
            className="danger"
            disabled={erasing.loading || !erasureConfirmed(erasureNumber, erasureTyped)}
          >
            Erase this number
          </button>
        </form>
      )}
      <h2>Requests</h2>
      {listed.error && <p role="alert">{errorText(listed.error)}</p>}
      {ids.length === 0 && <p>No requests yet.</p>}
      {ids.length > 0 && (
        <table>
          <caption className="visually-hidden">Privacy requests</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Subject</th>
              <th scope="col">Requested</th>
              <th scope="col">Status</th>
              <th scope="col">Download</th>
            </tr>
          </thead>
          <tbody>
            {ids.map((id) => (
              <RequestRow key={id} id={id} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
