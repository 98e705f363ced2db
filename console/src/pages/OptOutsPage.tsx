import { useQuery } from '@apollo/client/react';
import { graphql } from '../gql';

const OPT_OUTS = graphql(`
  query ConsoleOptOuts {
    optOuts(first: 100) {
      edges {
        node {
          phoneNumber
          optedOutChangedAt
          optOutSource
        }
      }
    }
    consents(first: 100) {
      edges {
        node {
          phoneNumber
          consentChangedAt
          consentSource
        }
      }
    }
  }
`);

export function OptOutsPage() {
  const { data, error } = useQuery(OPT_OUTS, { pollInterval: 5_000 });
  return (
    <section aria-labelledby="optouts-title">
      <h1 id="optouts-title">Opt-outs and consent</h1>
      {error && <p role="alert">{error.message}</p>}
      {data && data.optOuts.edges.length === 0 && <p>No one has opted out.</p>}
      {data && data.optOuts.edges.length > 0 && (
        <table>
          <caption className="visually-hidden">Opted-out numbers</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Since</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {data.optOuts.edges.map(({ node }) => (
              <tr key={node.phoneNumber}>
                <td>{node.phoneNumber}</td>
                <td>
                  {node.optedOutChangedAt ? new Date(node.optedOutChangedAt).toLocaleString() : '—'}
                </td>
                <td>{node.optOutSource ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Consent</h2>
      {data && data.consents.edges.length === 0 && <p>No recorded consents.</p>}
      {data && data.consents.edges.length > 0 && (
        <table>
          <caption className="visually-hidden">Numbers with consent</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Since</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {data.consents.edges.map(({ node }) => (
              <tr key={node.phoneNumber}>
                <td>{node.phoneNumber}</td>
                <td>
                  {node.consentChangedAt ? new Date(node.consentChangedAt).toLocaleString() : '—'}
                </td>
                <td>{node.consentSource ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
