import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { CarrierKind, ConsoleCarrierAccountsQuery } from '../gql/graphql';
import { errorText } from '../errors';
import { Link } from '../router';

const ACCOUNTS = graphql(`
  query ConsoleCarrierAccounts {
    carrierAccounts {
      id
      kind
      name
      credentialHint
      stickySender
      statusCallbackUrl
      inboundWebhookUrl
      createdAt
      numbers {
        id
        number
        sms
        mms
      }
    }
  }
`);

const CREATE = graphql(`
  mutation ConsoleCreateCarrierAccount($input: CreateCarrierAccountInput!) {
    createCarrierAccount(input: $input) {
      id
    }
  }
`);

const DELETE = graphql(`
  mutation ConsoleDeleteCarrierAccount($id: ID!) {
    deleteCarrierAccount(id: $id)
  }
`);

const TEST = graphql(`
  mutation ConsoleTestCarrierAccount($id: ID!) {
    testCarrierAccount(id: $id) {
      ok
      errorCode
      rawCode
      rawMessage
    }
  }
`);

const ADD_NUMBER = graphql(`
  mutation ConsoleAddCarrierNumber($input: AddCarrierNumberInput!) {
    addCarrierNumber(input: $input) {
      id
    }
  }
`);

const REMOVE_NUMBER = graphql(`
  mutation ConsoleRemoveCarrierNumber($id: ID!) {
    removeCarrierNumber(id: $id)
  }
`);

type Account = ConsoleCarrierAccountsQuery['carrierAccounts'][number];

export function CarriersPage() {
  const { data, error, refetch } = useQuery(ACCOUNTS);
  const [create, creating] = useMutation(CREATE);
  const [kind, setKind] = useState<CarrierKind>('TWILIO');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const optional = (key: string, name: string) => (text(name) ? { [key]: text(name) } : {});
    try {
      await create({
        variables: {
          input: {
            kind,
            name: text('accountName'),
            stickySender: form.get('sticky') === 'on',
            ...(kind === 'TWILIO'
              ? {
                  twilio: {
                    accountSid: text('accountSid'),
                    authToken: text('authToken'),
                    ...optional('messagingServiceSid', 'messagingServiceSid'),
                  },
                }
              : {
                  telnyx: {
                    apiKey: text('apiKey'),
                    webhookPublicKey: text('webhookPublicKey'),
                    ...optional('messagingProfileId', 'messagingProfileId'),
                  },
                }),
          },
        },
      });
      // The secrets leave the page with the form: only their hint is ever shown again.
      formElement.reset();
      await refetch();
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  return (
    <section aria-labelledby="carriers-title">
      <h1 id="carriers-title">Carrier accounts</h1>
      <p className="muted">
        Twilio and Telnyx accounts that <Link href="/routes">routes</Link> of kind TWILIO or TELNYX
        send through. Credentials are stored sealed; after saving, only a hint is shown.
      </p>
      {error && <p role="alert">{errorText(error)}</p>}
      {data && data.carrierAccounts.length === 0 && <p>No carrier accounts yet.</p>}
      {data?.carrierAccounts.map((a) => (
        <AccountCard key={a.id} account={a} onChanged={() => void refetch()} />
      ))}
      <form onSubmit={(e) => void submit(e)} className="card" autoComplete="off">
        <h2>Add a carrier account</h2>
        <label>
          Carrier
          <select
            name="kind"
            value={kind}
            onChange={(e) => setKind(e.currentTarget.value as CarrierKind)}
          >
            <option value="TWILIO">Twilio</option>
            <option value="TELNYX">Telnyx</option>
          </select>
        </label>
        <label>
          Account name
          <input name="accountName" required maxLength={100} />
        </label>
        {kind === 'TWILIO' ? (
          <>
            <label>
              Account SID
              <input name="accountSid" required placeholder="AC…" spellCheck={false} />
            </label>
            <label>
              Auth token
              <input name="authToken" type="password" required autoComplete="off" />
            </label>
            <label>
              Messaging Service SID (optional)
              <input name="messagingServiceSid" placeholder="MG…" spellCheck={false} />
            </label>
          </>
        ) : (
          <>
            <label>
              API key
              <input name="apiKey" type="password" required autoComplete="off" />
            </label>
            <label>
              Webhook public key (base64)
              <input name="webhookPublicKey" required spellCheck={false} />
            </label>
            <label>
              Messaging profile id (optional)
              <input name="messagingProfileId" spellCheck={false} />
            </label>
          </>
        )}
        <label className="check">
          <input type="checkbox" name="sticky" /> Sticky sender (a contact always hears from the
          same number)
        </label>
        {problem && <p role="alert">{problem}</p>}
        <button type="submit" disabled={creating.loading}>
          Add account
        </button>
      </form>
    </section>
  );
}

function AccountCard({ account: a, onChanged }: { account: Account; onChanged: () => void }) {
  const [test, testing] = useMutation(TEST);
  const [addNumber] = useMutation(ADD_NUMBER);
  const [removeNumber] = useMutation(REMOVE_NUMBER);
  const [deleteAccount] = useMutation(DELETE);
  const [problem, setProblem] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await action();
      onChanged();
    } catch (e) {
      setProblem(errorText(e));
    }
  };
  const result = testing.data?.testCarrierAccount;

  const add = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    void run(async () => {
      await addNumber({
        variables: {
          input: {
            carrierAccountId: a.id,
            number: String(form.get('number')).trim(),
            sms: form.get('sms') === 'on',
            mms: form.get('mms') === 'on',
          },
        },
      });
      formElement.reset();
    });
  };

  return (
    <article className="card wide" aria-labelledby={`carrier-${a.id}`} data-carrier={a.name}>
      <h2 id={`carrier-${a.id}`}>
        {a.name} <span className="badge">{a.kind === 'TWILIO' ? 'Twilio' : 'Telnyx'}</span>
      </h2>
      <p>
        Credentials: <code data-testid="credential-hint">{a.credentialHint}</code>
        {a.stickySender ? ' · sticky sender' : ''}
      </p>
      <details>
        <summary>Webhook URLs to set at {a.kind === 'TWILIO' ? 'Twilio' : 'Telnyx'}</summary>
        <p>
          Inbound messages: <code className="token">{a.inboundWebhookUrl}</code>
        </p>
        <p>
          Statuses: <code className="token">{a.statusCallbackUrl}</code>
        </p>
      </details>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          disabled={testing.loading}
          onClick={() =>
            void test({ variables: { id: a.id } }).catch((e: unknown) => setProblem(errorText(e)))
          }
        >
          Test {a.name}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            if (confirm(`Remove ${a.name} and its numbers?`))
              void run(() => deleteAccount({ variables: { id: a.id } }));
          }}
        >
          Remove {a.name}
        </button>
      </div>
      {result && (
        <p role="status" data-testid="carrier-test">
          {result.ok
            ? 'Connection OK: the carrier accepted the credentials.'
            : `Failed: ${result.errorCode ?? 'error'}${result.rawCode ? ` (carrier code ${result.rawCode})` : ''}${result.rawMessage ? ` — ${result.rawMessage}` : ''}`}
        </p>
      )}
      <h3>Sender numbers</h3>
      {a.numbers.length === 0 ? (
        <p>No numbers{a.kind === 'TWILIO' ? ' (a Messaging Service picks them)' : ''}.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Numbers of {a.name}</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Sends</th>
              <th scope="col">Remove</th>
            </tr>
          </thead>
          <tbody>
            {a.numbers.map((n) => (
              <tr key={n.id}>
                <td>{n.number}</td>
                <td>{[n.sms && 'SMS', n.mms && 'MMS'].filter(Boolean).join(', ') || '—'}</td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Remove ${n.number}`}
                    onClick={() => void run(() => removeNumber({ variables: { id: n.id } }))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={add} className="inline-fields">
        <label>
          Number to add to {a.name}
          <input name="number" required inputMode="tel" placeholder="+14155550100" />
        </label>
        <label className="check">
          <input type="checkbox" name="sms" defaultChecked /> SMS
        </label>
        <label className="check">
          <input type="checkbox" name="mms" /> MMS
        </label>
        <button type="submit">Add number</button>
      </form>
      {problem && <p role="alert">{problem}</p>}
    </article>
  );
}
