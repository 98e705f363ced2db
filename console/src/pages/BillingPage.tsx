import { useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { formatMoney } from '../money';

const BILLING = graphql(`
  query ConsoleBilling {
    myPlan {
      plan {
        id
        name
        monthlyPrice {
          currencyCode
          amountMinor
        }
        includedSegments
        deviceLimit
        routes
      }
      pendingPlanAt
    }
    wallet {
      balance {
        currencyCode
        amountMinor
      }
      held {
        currencyCode
        amountMinor
      }
      available {
        currencyCode
        amountMinor
      }
    }
    usage {
      period
      lines {
        route
        country
        kind
        messages
        segments
      }
    }
  }
`);

export function BillingPage() {
  const { data, error } = useQuery(BILLING);
  if (error) return <p role="alert">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  const { plan } = data.myPlan;
  const totalSegments = data.usage.lines.reduce((sum, l) => sum + l.segments, 0);
  return (
    <section aria-labelledby="billing-title">
      <h1 id="billing-title">Billing</h1>
      <dl className="stats">
        <div>
          <dt>Plan</dt>
          <dd data-testid="plan-name">{plan.name}</dd>
        </div>
        <div>
          <dt>Monthly price</dt>
          <dd>{formatMoney(plan.monthlyPrice)}</dd>
        </div>
        <div>
          <dt>Wallet available</dt>
          <dd data-testid="wallet-available">{formatMoney(data.wallet.available)}</dd>
        </div>
        <div>
          <dt>Segments this period</dt>
          <dd>
            {totalSegments} of {plan.includedSegments} included
          </dd>
        </div>
      </dl>
      <p className="muted">
        Balance {formatMoney(data.wallet.balance)}, held for messages in flight{' '}
        {formatMoney(data.wallet.held)}. Routes on this plan: {plan.routes.join(', ')}; up to{' '}
        {plan.deviceLimit} phones.
      </p>
      <h2>Usage in {data.usage.period}</h2>
      {data.usage.lines.length === 0 ? (
        <p>No usage yet.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Usage</caption>
          <thead>
            <tr>
              <th scope="col">Route</th>
              <th scope="col">Country</th>
              <th scope="col">Kind</th>
              <th scope="col">Messages</th>
              <th scope="col">Segments</th>
            </tr>
          </thead>
          <tbody>
            {data.usage.lines.map((l) => (
              <tr key={`${l.route}-${l.country}-${l.kind}`}>
                <td>{l.route}</td>
                <td>{l.country}</td>
                <td>{l.kind}</td>
                <td>{l.messages}</td>
                <td>{l.segments}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
