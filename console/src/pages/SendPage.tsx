import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { composerCount } from '../composer';
import { errorText } from '../errors';
import { StatusBadge } from './StatusBadge';
import { SenderFields, useSenders } from './SenderFields';

const SEND = graphql(`
  mutation ConsoleSendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      id
      status
      segments
      encoding
    }
  }
`);

const MESSAGE = graphql(`
  query ConsoleMessage($id: ID!) {
    message(id: $id) {
      id
      status
      to
      from
      route
      error {
        code
      }
    }
  }
`);

export function SendPage() {
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [send, sending] = useMutation(SEND);
  const [sentId, setSentId] = useState<string | null>(null);
  const count = composerCount(body);
  const senders = useSenders();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const form = new FormData(event.currentTarget);
    const scheduledAt = String(form.get('scheduledAt') || '');
    const validFor = Number(form.get('validMinutes') || 0);
    const sender = senders.choiceOf(form);
    try {
      const { data } = await send({
        variables: {
          input: {
            to: String(form.get('to')).trim(),
            body,
            ...(sender
              ? {
                  routeId: sender.routeId,
                  routeFallback: sender.fallback,
                  ...(sender.from ? { from: sender.from } : {}),
                }
              : {}),
            ...(scheduledAt ? { scheduledAt: new Date(scheduledAt).toISOString() } : {}),
            ...(validFor > 0
              ? { validUntil: new Date(Date.now() + validFor * 60_000).toISOString() }
              : {}),
          },
        },
      });
      if (data) setSentId(data.sendMessage.id);
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <section aria-labelledby="send-title">
      <h1 id="send-title">Send a message</h1>
      <form onSubmit={submit} className="composer">
        <label>
          To (E.164)
          <input name="to" required placeholder="+14155550123" inputMode="tel" autoComplete="off" />
        </label>
        <label>
          Message
          <textarea
            name="body"
            required
            rows={5}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            aria-describedby="segment-count"
          />
        </label>
        <p id="segment-count" aria-live="polite" data-testid="segment-count">
          {count.label}
        </p>
        {senders.routes.length > 0 && <SenderFields senders={senders} />}
        <details>
          <summary>Scheduling and validity</summary>
          <label>
            Send at (optional)
            <input name="scheduledAt" type="datetime-local" />
          </label>
          <label>
            Give up after (minutes, optional)
            <input name="validMinutes" type="number" min={1} />
          </label>
        </details>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={sending.loading}>
          Send
        </button>
      </form>
      {sentId && <SentStatus id={sentId} />}
    </section>
  );
}

function SentStatus({ id }: { id: string }) {
  const { data, error } = useQuery(MESSAGE, { variables: { id }, pollInterval: 1_000 });
  if (error && !data?.message)
    return <p role="alert">Could not load the message’s status: {error.message}</p>;
  if (!data?.message) return null;
  return (
    <p className="sent" data-message-id={id}>
      Message to {data.message.to}
      {data.message.from ? ` from ${data.message.from}` : ''}
      {data.message.route ? ` via ${data.message.route.toLowerCase()}` : ''}:{' '}
      <StatusBadge status={data.message.status} />
      {data.message.error ? ` (${data.message.error.code})` : ''}
    </p>
  );
}
