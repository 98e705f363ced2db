import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { composerCount } from '../composer';
import { errorText, shownAbove } from '../errors';
import { StatusBadge } from './StatusBadge';

const CONVERSATIONS = graphql(`
  query ConsoleConversations {
    conversations(first: 50) {
      nodes {
        id
        contactNumber
        unreadCount
        messageCount
        lastMessageAt
        lastMessage {
          id
          body
          direction
        }
      }
    }
  }
`);

const THREAD = graphql(`
  query ConsoleThread($id: ID!, $phoneNumber: String!) {
    conversation(id: $id) {
      id
      contactNumber
      messages(first: 100) {
        nodes {
          id
          direction
          status
          body
          createdAt
        }
      }
    }
    suppression(phoneNumber: $phoneNumber) {
      phoneNumber
      optedOut
      optedOutChangedAt
      optOutSource
    }
  }
`);

const MARK_READ = graphql(`
  mutation ConsoleMarkRead($id: ID!) {
    markConversationRead(id: $id) {
      id
      unreadCount
    }
  }
`);

const REPLY = graphql(`
  mutation ConsoleReply($input: SendMessageInput!) {
    sendMessage(input: $input) {
      id
      status
    }
  }
`);

export function ConversationsPage() {
  const { data, error } = useQuery(CONVERSATIONS, { pollInterval: 2_000 });
  const [open, setOpen] = useState<{ id: string; contactNumber: string } | null>(null);
  const [markRead, marking] = useMutation(MARK_READ);
  return (
    <section aria-labelledby="conversations-title" className="split">
      <div>
        <h1 id="conversations-title">Conversations</h1>
        {error && <p role="alert">{error.message}</p>}
        {marking.error && (
          <p role="alert">Could not mark the conversation read: {errorText(marking.error)}</p>
        )}
        {data && data.conversations.nodes.length === 0 && <p>No conversations yet.</p>}
        <ul className="list" aria-label="Conversations">
          {data?.conversations.nodes.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="row"
                aria-current={open?.id === c.id ? 'true' : undefined}
                onClick={() => {
                  setOpen({ id: c.id, contactNumber: c.contactNumber });
                  if (c.unreadCount > 0)
                    // A refusal shows in marking.error (the alert above the list).
                    void markRead({ variables: { id: c.id } }).catch(shownAbove);
                }}
              >
                <span className="number">{c.contactNumber}</span>
                {c.unreadCount > 0 && <span className="unread">{c.unreadCount} unread</span>}
                <span className="preview">{c.lastMessage?.body ?? ''}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      {open && <Thread key={open.id} {...open} />}
    </section>
  );
}

function Thread({ id, contactNumber }: { id: string; contactNumber: string }) {
  const { data, error } = useQuery(THREAD, {
    variables: { id, phoneNumber: contactNumber },
    pollInterval: 2_000,
  });
  const [markRead, marking] = useMutation(MARK_READ);
  const newestInbound = data?.conversation.messages.nodes.reduce(
    (latest, m) => (m.direction === 'INBOUND' && m.createdAt > latest ? m.createdAt : latest),
    '',
  );
  // A reply arriving while the thread is open is read: the list shows no unread badge for it.
  useEffect(() => {
    // A refusal shows in marking.error (the thread's alert).
    if (newestInbound) void markRead({ variables: { id } }).catch(shownAbove);
  }, [id, newestInbound, markRead]);
  const [reply, replying] = useMutation(REPLY);
  const [body, setBody] = useState('');
  const [sendError, setSendError] = useState<string | null>(null);
  const messages = [...(data?.conversation.messages.nodes ?? [])].sort((a, b) =>
    a.createdAt.localeCompare(b.createdAt),
  );
  const optedOut = data?.suppression.optedOut ?? false;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSendError(null);
    try {
      await reply({ variables: { input: { to: contactNumber, body } } });
      setBody('');
    } catch (e) {
      setSendError(errorText(e));
    }
  }

  return (
    <div className="thread" aria-labelledby="thread-title">
      <h2 id="thread-title">
        {contactNumber}{' '}
        {optedOut && (
          <span className="badge status-failed" data-testid="opted-out">
            Opted out
          </span>
        )}
      </h2>
      {error && <p role="alert">{error.message}</p>}
      {marking.error && (
        <p role="alert">Could not mark the conversation read: {errorText(marking.error)}</p>
      )}
      <ol className="bubbles" aria-label="Messages">
        {messages.map((m) => (
          <li
            key={m.id}
            className={m.direction === 'INBOUND' ? 'in' : 'out'}
            data-message-id={m.id}
          >
            <p>{m.body}</p>
            <small>
              {new Date(m.createdAt).toLocaleTimeString()} <StatusBadge status={m.status} />
            </small>
          </li>
        ))}
      </ol>
      <form onSubmit={submit} className="reply">
        <label>
          Reply
          <textarea
            value={body}
            onChange={(e) => setBody(e.target.value)}
            required
            rows={2}
            disabled={optedOut}
            aria-describedby="reply-count"
          />
        </label>
        <p id="reply-count" aria-live="polite">
          {optedOut
            ? 'This contact opted out: messages to them are refused.'
            : composerCount(body).label}
        </p>
        {sendError && <p role="alert">{sendError}</p>}
        <button type="submit" disabled={replying.loading || optedOut}>
          Send reply
        </button>
      </form>
    </div>
  );
}
