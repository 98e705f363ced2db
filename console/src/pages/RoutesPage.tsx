import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { RouteKind } from '../gql/graphql';
import { errorText } from '../errors';
import { Link } from '../router';

const ROUTES = graphql(`
  query ConsoleRoutes {
    routes {
      id
      name
      kind
      priority
      allowedCountries
      enabled
      mmsCapable
      carrierAccountId
    }
    carrierAccounts {
      id
      kind
      name
      credentialHint
      numbers {
        id
      }
    }
  }
`);

const CREATE = graphql(`
  mutation ConsoleCreateRoute($input: CreateRouteInput!) {
    createRoute(input: $input) {
      id
    }
  }
`);

const KINDS: RouteKind[] = ['DEVICE_POOL', 'TWILIO', 'TELNYX'];

export function RoutesPage() {
  const { data, error, refetch } = useQuery(ROUTES);
  const [create, creating] = useMutation(CREATE);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    const form = new FormData(event.currentTarget);
    const countries = String(form.get('countries') || '')
      .split(',')
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean);
    const carrierAccountId = String(form.get('carrierAccountId') || '');
    try {
      await create({
        variables: {
          input: {
            name: String(form.get('name')),
            kind: String(form.get('kind')) as RouteKind,
            priority: Number(form.get('priority') || 100),
            ...(countries.length ? { allowedCountries: countries } : {}),
            ...(carrierAccountId ? { carrierAccountId } : {}),
          },
        },
      });
      await refetch();
    } catch (e) {
      setProblem(errorText(e));
    }
  }

  return (
    <section aria-labelledby="routes-title">
      <h1 id="routes-title">Routes</h1>
      <p className="muted">
        Messages take the first enabled route (lowest priority) that allows the recipient's country,
        then fail over down the list.
      </p>
      {error && <p role="alert">{error.message}</p>}
      {data && (
        <table>
          <caption className="visually-hidden">Routes</caption>
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Countries</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {[...data.routes]
              .sort((a, b) => a.priority - b.priority)
              .map((r) => (
                <tr key={r.id}>
                  <td>{r.priority}</td>
                  <td>{r.name}</td>
                  <td>
                    {r.kind}
                    {r.mmsCapable ? ' (MMS)' : ''}
                  </td>
                  <td>{r.allowedCountries.join(', ') || 'all'}</td>
                  <td>{r.enabled ? 'enabled' : 'disabled'}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
      <form onSubmit={submit} className="card">
        <h2>Add a route</h2>
        <label>
          Route name
          <input name="name" required />
        </label>
        <label>
          Kind
          <select name="kind" defaultValue="DEVICE_POOL">
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Carrier account (Twilio/Telnyx routes)
          <select name="carrierAccountId" defaultValue="">
            <option value="">None</option>
            {data?.carrierAccounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.kind})
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <input name="priority" type="number" min={0} defaultValue={100} />
        </label>
        <label>
          Allowed countries (comma-separated, empty: all)
          <input name="countries" placeholder="US, CA" />
        </label>
        {problem && <p role="alert">{problem}</p>}
        <button type="submit" disabled={creating.loading}>
          Add route
        </button>
      </form>
      <h2>Carrier accounts</h2>
      <p>
        <Link href="/carriers">Manage carrier accounts and sender numbers</Link>
      </p>
      {data && data.carrierAccounts.length === 0 && (
        <p>No carrier accounts: messages go through your phones.</p>
      )}
      {data && data.carrierAccounts.length > 0 && (
        <table>
          <caption className="visually-hidden">Carrier accounts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Carrier</th>
              <th scope="col">Credentials</th>
              <th scope="col">Numbers</th>
            </tr>
          </thead>
          <tbody>
            {data.carrierAccounts.map((a) => (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td>{a.kind}</td>
                <td>
                  <code>{a.credentialHint}</code>
                </td>
                <td>{a.numbers.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
