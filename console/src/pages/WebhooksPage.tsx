import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { WebhookEventType } from '../gql/graphql';
import { errorText, shownAbove } from '../errors';

const ENDPOINTS = graphql(`
  query ConsoleWebhookEndpoints {
    webhookEndpoints {
      id
      url
      description
      eventTypes
      enabled
      disabledReason
      failingSince
    }
  }
`);

const CREATE = graphql(`
  mutation ConsoleCreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      secret
      endpoint {
        id
      }
    }
  }
`);

const DELIVERIES = graphql(`
  query ConsoleWebhookDeliveries($endpointId: ID!) {
    webhookDeliveries(endpointId: $endpointId, first: 50) {
      nodes {
        id
        eventType
        status
        attempts
        lastResponseCode
        lastError
        createdAt
      }
    }
  }
`);

const REPLAY = graphql(`
  mutation ConsoleReplayDelivery($id: ID!) {
    replayWebhookDelivery(id: $id) {
      id
      status
    }
  }
`);

const EVENT_TYPES: WebhookEventType[] = [
  'MESSAGE_STATUS_CHANGED',
  'MESSAGE_RECEIVED',
  'OPT_OUT_CHANGED',
  'CAMPAIGN_PROGRESS',
];

export function WebhooksPage() {
  const { data, error, refetch } = useQuery(ENDPOINTS);
  const [create, creating] = useMutation(CREATE);
  const [secret, setSecret] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    const form = new FormData(event.currentTarget);
    try {
      const { data: created } = await create({
        variables: {
          input: {
            url: String(form.get('url')),
            description: String(form.get('description') || ''),
            eventTypes: form.getAll('eventType').map(String) as WebhookEventType[],
          },
        },
      });
      setSecret(created?.createWebhookEndpoint.secret ?? null);
      await refetch();
    } catch (e) {
      setProblem(errorText(e));
    }
  }

  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <form onSubmit={submit} className="card">
        <label>
          Endpoint URL (https)
          <input name="url" type="url" required placeholder="https://example.com/hooks/sms" />
        </label>
        <label>
          Description
          <input name="description" />
        </label>
        <fieldset>
          <legend>Events</legend>
          {EVENT_TYPES.map((type) => (
            <label key={type} className="check">
              <input type="checkbox" name="eventType" value={type} defaultChecked /> {type}
            </label>
          ))}
        </fieldset>
        {problem && <p role="alert">{problem}</p>}
        <button type="submit" disabled={creating.loading}>
          Add endpoint
        </button>
      </form>
      {secret && (
        <div className="card" role="status">
          <p>
            <strong>Signing secret, shown only once:</strong>
          </p>
          <code className="token" data-testid="webhook-secret">
            {secret}
          </code>
        </div>
      )}
      {error && <p role="alert">{error.message}</p>}
      {data && data.webhookEndpoints.length === 0 && <p>No endpoints yet.</p>}
      <ul className="list">
        {data?.webhookEndpoints.map((e) => (
          <li key={e.id} className="card">
            <p>
              <strong>{e.url}</strong>{' '}
              <span className={`badge ${e.enabled ? 'status-online' : 'status-failed'}`}>
                {e.enabled
                  ? 'enabled'
                  : `disabled${e.disabledReason ? `: ${e.disabledReason}` : ''}`}
              </span>
            </p>
            <p className="muted">{e.eventTypes.join(', ')}</p>
            <button
              type="button"
              className="secondary"
              onClick={() => setOpen(open === e.id ? null : e.id)}
            >
              {open === e.id ? 'Hide delivery log' : 'Delivery log'}
            </button>
            {open === e.id && <Deliveries endpointId={e.id} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const { data, error } = useQuery(DELIVERIES, { variables: { endpointId }, pollInterval: 5_000 });
  const [replay, replaying] = useMutation(REPLAY);
  if (error) return <p role="alert">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  if (data.webhookDeliveries.nodes.length === 0) return <p>No deliveries yet.</p>;
  return (
    <>
      {replaying.error && <p role="alert">{errorText(replaying.error)}</p>}
      <table>
        <caption className="visually-hidden">Deliveries</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data.webhookDeliveries.nodes.map((d) => (
            <tr key={d.id}>
              <td>{new Date(d.createdAt).toLocaleString()}</td>
              <td>{d.eventType}</td>
              <td>{d.status}</td>
              <td>{d.attempts}</td>
              <td>{d.lastResponseCode ?? d.lastError ?? '—'}</td>
              <td>
                <button
                  type="button"
                  className="secondary"
                  // A refusal shows in replaying.error (the alert above the table).
                  onClick={() => void replay({ variables: { id: d.id } }).catch(shownAbove)}
                >
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
