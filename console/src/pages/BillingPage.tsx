import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { errorText } from '../errors';
import { formatMoney, toMinorUnits } from '../money';
import { usageBars, type UsageBar } from '../usage-chart';

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
      pendingPlanId
      pendingPlanAt
      subscriptionStatus
    }
    plans {
      id
      name
      monthlyPrice {
        currencyCode
        amountMinor
      }
      includedSegments
      deviceLimit
      overageAllowed
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
        includedSegments
        overageSegments
      }
    }
  }
`);

const LEDGER = graphql(`
  query ConsoleWalletLedger($first: Int, $after: String) {
    walletLedger(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          kind
          amount {
            currencyCode
            amountMinor
          }
          held {
            currencyCode
            amountMinor
          }
          reference
          description
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

// Owner-only parts: a member who is not the owner sees the rest of the page without them.
const OWNER = graphql(`
  query ConsoleBillingOwner {
    invoices(first: 20) {
      edges {
        node {
          id
          number
          status
          total {
            currencyCode
            amountMinor
          }
          hostedInvoiceUrl
          periodStart
          periodEnd
          createdAt
        }
      }
    }
    paymentMethods {
      id
      brand
      last4
      expMonth
      expYear
    }
    autoRecharge {
      status
      pausedReason
      below {
        currencyCode
        amountMinor
      }
      amount {
        currencyCode
        amountMinor
      }
      paymentMethod {
        id
        brand
        last4
      }
    }
  }
`);

const TOP_UP = graphql(`
  mutation ConsoleTopUp($amountMinor: String!, $saveCard: Boolean) {
    createTopUpCheckout(amountMinor: $amountMinor, saveCard: $saveCard) {
      id
      url
    }
  }
`);

const SUBSCRIBE = graphql(`
  mutation ConsoleSubscribe($planId: ID!) {
    createSubscriptionCheckout(planId: $planId) {
      id
      url
    }
  }
`);

const CHANGE_PLAN = graphql(`
  mutation ConsoleChangePlan($planId: ID!) {
    changePlan(planId: $planId) {
      pendingPlanId
      pendingPlanAt
      plan {
        id
      }
    }
  }
`);

const CANCEL_PLAN_CHANGE = graphql(`
  mutation ConsoleCancelPlanChange {
    cancelPlanChange {
      pendingPlanId
    }
  }
`);

const SET_AUTO_RECHARGE = graphql(`
  mutation ConsoleSetAutoRecharge($input: AutoRechargeInput!) {
    setAutoRecharge(input: $input) {
      status
    }
  }
`);

const DISABLE_AUTO_RECHARGE = graphql(`
  mutation ConsoleDisableAutoRecharge {
    disableAutoRecharge
  }
`);

const BILLING_PORTAL = graphql(`
  mutation ConsoleBillingPortal {
    createBillingPortalSession {
      id
      url
    }
  }
`);

/** Leaves the console for a Stripe page (Checkout): Stripe sends the customer back. */
function goToStripe(url: string): void {
  location.assign(url);
}

export function BillingPage() {
  const { data, error, refetch } = useQuery(BILLING, { pollInterval: 5_000 });
  const [problem, setProblem] = useState<string | null>(null);
  const [subscribeTo, setSubscribeTo] = useState<string | null>(null);
  const [topUp, toppingUp] = useMutation(TOP_UP);
  const [subscribe] = useMutation(SUBSCRIBE);
  const [changePlan] = useMutation(CHANGE_PLAN);
  const [cancelPlanChange] = useMutation(CANCEL_PLAN_CHANGE);

  if (error) return <p role="alert">{errorText(error)}</p>;
  if (!data) return <p>Loading…</p>;
  const { plan } = data.myPlan;
  const currency = data.wallet.balance.currencyCode;
  const totalSegments = data.usage.lines.reduce((sum, l) => sum + l.segments, 0);
  const pending = data.plans.find((p) => p.id === data.myPlan.pendingPlanId);

  const run = async (action: () => Promise<unknown>) => {
    setProblem(null);
    setSubscribeTo(null);
    try {
      await action();
      await refetch();
    } catch (e) {
      setProblem(errorText(e));
      return e;
    }
  };

  const submitTopUp = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const amountMinor = toMinorUnits(String(form.get('amount')), currency);
    if (!amountMinor) return setProblem(`Enter an amount in ${currency}, e.g. 25.00.`);
    await run(async () => {
      const { data: link } = await topUp({
        variables: { amountMinor, saveCard: form.get('saveCard') === 'on' },
      });
      if (link) goToStripe(link.createTopUpCheckout.url);
    });
  };

  const switchTo = async (planId: string) => {
    const failed = await run(() => changePlan({ variables: { planId } }));
    if (failed && errorText(failed).includes('SUBSCRIPTION_REQUIRED')) setSubscribeTo(planId);
  };

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
        Balance <span data-testid="wallet-balance">{formatMoney(data.wallet.balance)}</span>, held
        for messages in flight {formatMoney(data.wallet.held)}. Routes on this plan:{' '}
        {plan.routes.join(', ')}; up to {plan.deviceLimit} phones.
      </p>
      {problem && <p role="alert">{problem}</p>}

      <form onSubmit={(e) => void submitTopUp(e)} className="card" aria-labelledby="topup-title">
        <h2 id="topup-title">Top up the wallet</h2>
        <label>
          Amount ({currency})
          <input name="amount" inputMode="decimal" required placeholder="25.00" />
        </label>
        <label className="check">
          <input type="checkbox" name="saveCard" /> Keep the card for automatic recharges
        </label>
        <button type="submit" disabled={toppingUp.loading}>
          Pay with Stripe
        </button>
        <p className="muted">You pay on Stripe’s page, then come back here.</p>
      </form>

      <h2>Usage in {data.usage.period}</h2>
      {data.usage.lines.length === 0 ? (
        <p>No usage yet.</p>
      ) : (
        <>
          <UsageChart bars={usageBars(data.usage.lines)} />
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
        </>
      )}

      <h2>Plans</h2>
      {pending && data.myPlan.pendingPlanAt && (
        <p data-testid="pending-plan">
          Changes to {pending.name} on {new Date(data.myPlan.pendingPlanAt).toLocaleDateString()}.{' '}
          <button
            type="button"
            className="secondary"
            onClick={() => void run(() => cancelPlanChange())}
          >
            Keep {plan.name}
          </button>
        </p>
      )}
      <table>
        <caption className="visually-hidden">Plans</caption>
        <thead>
          <tr>
            <th scope="col">Plan</th>
            <th scope="col">Per month</th>
            <th scope="col">Included segments</th>
            <th scope="col">Phones</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {data.plans.map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td>
              <td>{formatMoney(p.monthlyPrice)}</td>
              <td>{p.includedSegments}</td>
              <td>{p.deviceLimit}</td>
              <td>
                {p.id === plan.id ? (
                  'current'
                ) : subscribeTo === p.id ? (
                  <button
                    type="button"
                    onClick={() =>
                      void run(async () => {
                        const { data: link } = await subscribe({ variables: { planId: p.id } });
                        if (link) goToStripe(link.createSubscriptionCheckout.url);
                      })
                    }
                  >
                    Subscribe to {p.name} with Stripe
                  </button>
                ) : (
                  <button type="button" className="secondary" onClick={() => void switchTo(p.id)}>
                    Switch to {p.name}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <Ledger />
      <OwnerBilling currency={currency} />
    </section>
  );
}

function UsageChart({ bars }: { bars: UsageBar[] }) {
  const max = Math.max(1, ...bars.map((b) => b.total));
  const row = 22;
  const labelWidth = 130;
  const width = 300;
  return (
    <figure>
      <svg
        viewBox={`0 0 ${labelWidth + width + 50} ${bars.length * row}`}
        role="img"
        aria-label={`Segments by destination: ${bars
          .map((b) => `${b.label} ${b.total} (${b.included} included)`)
          .join(', ')}`}
        className="chart"
      >
        {bars.map((b, i) => {
          const included = (b.included / max) * width;
          const past = (b.overage / max) * width;
          return (
            <g key={b.label}>
              <text x={0} y={i * row + 15} fontSize="11">
                {b.label}
              </text>
              <rect x={labelWidth} y={i * row + 4} width={included} height={14} fill="#1f4fa3">
                <title>{`${b.label}: ${b.included} included`}</title>
              </rect>
              <rect
                x={labelWidth + included}
                y={i * row + 4}
                width={past}
                height={14}
                fill="#b45309"
              >
                <title>{`${b.label}: ${b.overage} past the allowance`}</title>
              </rect>
              <text x={labelWidth + included + past + 4} y={i * row + 15} fontSize="11">
                {b.total}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span>
          <svg width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" fill="#1f4fa3" />
          </svg>{' '}
          included in the plan
        </span>
        <span>
          <svg width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" fill="#b45309" />
          </svg>{' '}
          past the allowance
        </span>
      </figcaption>
    </figure>
  );
}

function Ledger() {
  const { data, error, fetchMore } = useQuery(LEDGER, {
    variables: { first: 20 },
    pollInterval: 5_000,
  });
  if (error) return <p role="alert">{errorText(error)}</p>;
  if (!data) return null;
  const edges = data.walletLedger.edges;
  return (
    <>
      <h2>Wallet ledger</h2>
      {edges.length === 0 ? (
        <p>No wallet entries yet.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Wallet ledger</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Kind</th>
              <th scope="col">Amount</th>
              <th scope="col">Held</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {edges.map(({ node: e }) => (
              <tr key={e.id}>
                <td>{new Date(e.createdAt).toLocaleString()}</td>
                <td>{e.kind}</td>
                <td>{formatMoney(e.amount)}</td>
                <td>{formatMoney(e.held)}</td>
                <td className="body">{e.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.walletLedger.pageInfo.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void fetchMore({
              variables: { after: data.walletLedger.pageInfo.endCursor },
              updateQuery: (previous, { fetchMoreResult }) => ({
                walletLedger: {
                  ...fetchMoreResult.walletLedger,
                  edges: [...previous.walletLedger.edges, ...fetchMoreResult.walletLedger.edges],
                },
              }),
            })
          }
        >
          Older entries
        </button>
      )}
    </>
  );
}

function OwnerBilling({ currency }: { currency: string }) {
  const { data, error, refetch } = useQuery(OWNER);
  const [setAutoRecharge] = useMutation(SET_AUTO_RECHARGE);
  const [disableAutoRecharge] = useMutation(DISABLE_AUTO_RECHARGE);
  const [openPortal, openingPortal] = useMutation(BILLING_PORTAL);
  const [problem, setProblem] = useState<string | null>(null);
  if (error)
    return <p className="muted">Invoices and cards: the organization’s owner sees them.</p>;
  if (!data) return null;

  const saveAutoRecharge = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    const form = new FormData(event.currentTarget);
    const belowMinor = toMinorUnits(String(form.get('below')), currency);
    const amountMinor = toMinorUnits(String(form.get('rechargeAmount')), currency);
    if (!belowMinor || !amountMinor) return setProblem(`Enter amounts in ${currency}.`);
    try {
      await setAutoRecharge({
        variables: {
          input: { belowMinor, amountMinor, paymentMethodId: String(form.get('paymentMethodId')) },
        },
      });
      await refetch();
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  // Stripe's billing portal: cards, invoices and the subscription; Stripe sends the owner back.
  const manageOnStripe = async () => {
    setProblem(null);
    try {
      const { data: link } = await openPortal();
      if (link) goToStripe(link.createBillingPortalSession.url);
    } catch (e) {
      setProblem(errorText(e));
    }
  };

  const recharge = data.autoRecharge;
  return (
    <>
      <h2>Payment methods</h2>
      <p className="muted">
        Cards, billing details and past invoices are kept by Stripe: its billing portal opens and
        brings you back here.
      </p>
      <button
        type="button"
        className="secondary"
        disabled={openingPortal.loading}
        onClick={() => void manageOnStripe()}
      >
        Manage payment methods
      </button>
      <h2>Invoices</h2>
      {data.invoices.edges.length === 0 ? (
        <p>No invoices yet.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Invoices</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Period</th>
              <th scope="col">Total</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {data.invoices.edges.map(({ node: i }) => (
              <tr key={i.id}>
                <td>
                  {i.hostedInvoiceUrl ? (
                    <a href={i.hostedInvoiceUrl} rel="noopener noreferrer">
                      {i.number ?? i.id}
                    </a>
                  ) : (
                    (i.number ?? i.id)
                  )}
                </td>
                <td>
                  {new Date(i.periodStart).toLocaleDateString()} –{' '}
                  {new Date(i.periodEnd).toLocaleDateString()}
                </td>
                <td>{formatMoney(i.total)}</td>
                <td>{i.status ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Automatic recharge</h2>
      {recharge && (
        <p data-testid="auto-recharge">
          {recharge.status}: {formatMoney(recharge.amount)} when the available balance falls below{' '}
          {formatMoney(recharge.below)}
          {recharge.paymentMethod
            ? ` (${recharge.paymentMethod.brand} …${recharge.paymentMethod.last4})`
            : ''}
          {recharge.pausedReason ? ` — ${recharge.pausedReason}` : ''}{' '}
          <button
            type="button"
            className="secondary"
            onClick={() =>
              void disableAutoRecharge()
                .then(() => refetch())
                .catch((e: unknown) => setProblem(errorText(e)))
            }
          >
            Turn off
          </button>
        </p>
      )}
      {data.paymentMethods.length === 0 ? (
        <p className="muted">Top up once with “Keep the card” ticked to recharge automatically.</p>
      ) : (
        <form onSubmit={(e) => void saveAutoRecharge(e)} className="card">
          <label>
            Recharge when the available balance is below ({currency})
            <input name="below" inputMode="decimal" required placeholder="5.00" />
          </label>
          <label>
            Recharge amount ({currency})
            <input name="rechargeAmount" inputMode="decimal" required placeholder="25.00" />
          </label>
          <label>
            Card to charge
            <select name="paymentMethodId">
              {data.paymentMethods.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.brand} …{m.last4} ({m.expMonth}/{m.expYear})
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Save automatic recharge</button>
        </form>
      )}
      {problem && <p role="alert">{problem}</p>}
    </>
  );
}
