import { useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { CHART_STATUSES, sendsPerDay, type ChartStatus } from '../chart';

const DASHBOARD = graphql(`
  query ConsoleDashboard($since: DateTime!) {
    me {
      id
      email
      displayName
    }
    organization {
      id
      name
      slug
    }
    devices {
      id
      status
    }
    messages(first: 100, filter: { createdAfter: $since }) {
      nodes {
        id
        status
        direction
        createdAt
      }
    }
  }
`);

const COLORS: Record<ChartStatus, string> = {
  DELIVERED: '#1b7f3b',
  SENT: '#2f6fb3',
  PENDING: '#8a6d00',
  FAILED: '#b3261e',
};

export function DashboardPage() {
  const since = new Date(Date.now() - 7 * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  const { data, error } = useQuery(DASHBOARD, {
    variables: { since: since.toISOString() },
    pollInterval: 10_000,
  });
  if (error) return <p role="alert">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  const online = data.devices.filter((d) => d.status === 'ONLINE').length;
  const days = sendsPerDay(data.messages.nodes, new Date());
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">{data.organization.name}</h1>
      <p>
        Signed in as {data.me.displayName || data.me.email}. Organization{' '}
        <code>{data.organization.slug}</code>.
      </p>
      <dl className="stats">
        <div>
          <dt>Phones online</dt>
          <dd>
            {online} of {data.devices.length}
          </dd>
        </div>
        <div>
          <dt>Sent in 7 days</dt>
          <dd>{days.reduce((sum, d) => sum + d.total, 0)}</dd>
        </div>
      </dl>
      <h2>Sends per day by status</h2>
      <p className="muted">The latest 100 messages of the last 7 days.</p>
      <SendsChart days={days} />
    </section>
  );
}

function SendsChart({ days }: { days: ReturnType<typeof sendsPerDay> }) {
  const max = Math.max(1, ...days.map((d) => d.total));
  const width = 40;
  const height = 120;
  return (
    <figure>
      <svg
        viewBox={`0 0 ${days.length * width} ${height + 20}`}
        role="img"
        aria-label={days.map((d) => `${d.day}: ${d.total}`).join(', ')}
        className="chart"
      >
        {days.map((d, i) => {
          let y = height;
          return (
            <g key={d.day}>
              {CHART_STATUSES.map((status) => {
                const h = (d.counts[status] / max) * height;
                y -= h;
                return h > 0 ? (
                  <rect
                    key={status}
                    x={i * width + 6}
                    y={y}
                    width={width - 12}
                    height={h}
                    fill={COLORS[status]}
                  >
                    <title>{`${d.day} ${status}: ${d.counts[status]}`}</title>
                  </rect>
                ) : null;
              })}
              <text x={i * width + width / 2} y={height + 14} textAnchor="middle" fontSize="10">
                {d.day.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {CHART_STATUSES.map((s) => (
          <span key={s}>
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={COLORS[s]} />
            </svg>{' '}
            {s.toLowerCase()}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
