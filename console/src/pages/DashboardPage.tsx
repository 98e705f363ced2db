import { useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import {
  CHART_STATUSES,
  dayBuckets,
  deliveryRatePoints,
  overallDeliveryRate,
  percent,
  type ChartStatus,
  type DayBucket,
  type DayStats,
} from '../chart';

const DASHBOARD = graphql(`
  query ConsoleDashboard {
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
    messageStats(days: 7) {
      day
      delivered
      sent
      pending
      failed
      total
      deliveryRate
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
  const { data, error } = useQuery(DASHBOARD, { pollInterval: 10_000 });
  if (error) return <p role="alert">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  const online = data.devices.filter((d) => d.status === 'ONLINE').length;
  const days = dayBuckets(data.messageStats);
  const rate = overallDeliveryRate(data.messageStats);
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
        <div>
          <dt>Delivery rate, 7 days</dt>
          <dd>{rate === null ? '—' : percent(rate)}</dd>
        </div>
      </dl>
      <h2>Sends per day by status</h2>
      <p className="muted">Every message your organization sent in the last 7 days (UTC).</p>
      <SendsChart days={days} />
      <h2>Delivery rate per day</h2>
      <p className="muted">
        Delivered ÷ (delivered + failed), of the sends whose outcome is known.
      </p>
      <DeliveryRateChart stats={data.messageStats} />
    </section>
  );
}

function SendsChart({ days }: { days: DayBucket[] }) {
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

function DeliveryRateChart({ stats }: { stats: DayStats[] }) {
  const width = 40;
  const height = 80;
  const points = deliveryRatePoints(stats, width, height);
  return (
    <figure>
      <svg
        viewBox={`0 -5 ${stats.length * width} ${height + 25}`}
        role="img"
        aria-label={stats
          .map(
            (s) => `${s.day}: ${s.deliveryRate == null ? 'no outcome' : percent(s.deliveryRate)}`,
          )
          .join(', ')}
        className="chart"
      >
        <line x1={0} y1={0} x2={stats.length * width} y2={0} stroke="#ccc" />
        <line x1={0} y1={height} x2={stats.length * width} y2={height} stroke="#ccc" />
        <polyline
          points={points.map((p) => `${p.x},${p.y}`).join(' ')}
          fill="none"
          stroke="#1b7f3b"
          strokeWidth={2}
        />
        {points.map((p) => (
          <circle key={p.day} cx={p.x} cy={p.y} r={3} fill="#1b7f3b">
            <title>{`${p.day}: ${percent(p.rate)}`}</title>
          </circle>
        ))}
        {stats.map((s, i) => (
          <text
            key={s.day}
            x={i * width + width / 2}
            y={height + 14}
            textAnchor="middle"
            fontSize="10"
          >
            {s.day.slice(5)}
          </text>
        ))}
      </svg>
    </figure>
  );
}
