import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { errorText, shownAbove } from '../errors';

const TOKENS = graphql(`
  query ConsoleApiTokens {
    apiTokens {
      id
      name
      prefix
      scopes
      createdAt
      lastUsedAt
      revokedAt
    }
  }
`);

const CREATE = graphql(`
  mutation ConsoleCreateApiToken($name: String!, $scopes: [String!]!) {
    createApiToken(name: $name, scopes: $scopes) {
      token
      apiToken {
        id
      }
    }
  }
`);

const REVOKE = graphql(`
  mutation ConsoleRevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      revokedAt
    }
  }
`);

/** The scopes accounts accepts (createApiToken's description). */
const SCOPES = [
  'messages:send',
  'messages:read',
  'devices:read',
  'devices:manage',
  'contacts:write',
  'billing:read',
];

export function ApiTokensPage() {
  const { data, error, refetch } = useQuery(TOKENS);
  const [create, creating] = useMutation(CREATE);
  const [revoke, revoking] = useMutation(REVOKE);
  const [secret, setSecret] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    const form = new FormData(event.currentTarget);
    const scopes = form.getAll('scope').map(String);
    try {
      const { data: created } = await create({
        variables: { name: String(form.get('name')), scopes },
      });
      setSecret(created?.createApiToken.token ?? null);
      await refetch();
    } catch (e) {
      setProblem(errorText(e));
    }
  }

  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">API tokens</h1>
      <form onSubmit={submit} className="card">
        <label>
          Token name
          <input name="name" required maxLength={100} />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="check">
              <input
                type="checkbox"
                name="scope"
                value={scope}
                defaultChecked={scope === 'messages:send'}
              />{' '}
              {scope}
            </label>
          ))}
        </fieldset>
        {problem && <p role="alert">{problem}</p>}
        <button type="submit" disabled={creating.loading}>
          Create token
        </button>
      </form>
      {secret && (
        <div className="card" role="status">
          <p>
            <strong>Copy the token now: it is shown only once.</strong>
          </p>
          <code className="token" data-testid="new-token">
            {secret}
          </code>
          <p>
            <button type="button" className="secondary" onClick={() => setSecret(null)}>
              I have copied it
            </button>
          </p>
        </div>
      )}
      {error && <p role="alert">{error.message}</p>}
      {revoking.error && <p role="alert">{errorText(revoking.error)}</p>}
      {data && (
        <table>
          <caption className="visually-hidden">API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.apiTokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{t.scopes.join(', ')}</td>
                <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}</td>
                <td>
                  {t.revokedAt ? (
                    'revoked'
                  ) : (
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`Revoke ${t.name}`}
                      // A refusal shows in revoking.error (the alert above the table); the
                      // promise's own rejection is that same error, already on the page.
                      onClick={() => void revoke({ variables: { id: t.id } }).catch(shownAbove)}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
