import { useState, type FormEvent } from 'react';
import { useLazyQuery, useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { ConsoleCampaignsQuery } from '../gql/graphql';
import { errorText } from '../errors';
import { Link } from '../router';
import {
  campaignPercent,
  formatDuration,
  formatEta,
  PROGRESS_PARTS,
  progressParts,
  type ProgressPart,
} from '../campaign-progress';
import { templatePreview } from '../template-preview';
import { formatMoney } from '../money';
import { routeLabel, senderText, type SenderRoute } from '../sender';
import { SenderFields, useSenders } from './SenderFields';

function rateLimitText(limit: string): string {
  if (limit === 'PHONES') return ' (limited by the online phones)';
  if (limit === 'CARRIER') return ' (limited by the carrier numbers)';
  return '';
}

const CAMPAIGNS = graphql(`
  query ConsoleCampaigns {
    contactLists(first: 100) {
      nodes {
        id
        name
        kind
        memberCount
      }
    }
    campaigns(first: 50) {
      nodes {
        id
        name
        listId
        template
        status
        pausedReason
        ratePerMinute
        startAt
        endAt
        sender {
          routeId
          from
          fallback
        }
        progress {
          recipientsTotal
          messagesCreated
          messagesSent
          messagesDelivered
          messagesFailed
          messagesRejected
          messagesExpired
          sendErrors
          etaSeconds
          eta
          rateNow
          plannedRatePerMinute
          plannedRateLimitedBy
        }
        priority
      }
    }
  }
`);

function viaText(routeId: string | null | undefined, routes: readonly SenderRoute[]): string {
  const route = routes.find((r) => r.id === routeId);
  return route ? ` via ${routeLabel(route)}` : '';
}

/** Why the runner paused a campaign itself, in words. */
function pausedReasonText(code: string): string {
  switch (code) {
    case 'UNKNOWN_ROUTE':
      return 'Paused: its sending route was deleted or disabled. Enable the route (or create a new campaign with another sender), then resume.';
    case 'UNKNOWN_SENDER':
      return 'Paused: its sender number is no longer part of the route. Add the number back, then resume.';
    default:
      return `Paused by the platform (${code}).`;
  }
}

const CREATE_LIST = graphql(`
  mutation ConsoleCreateList($input: CreateContactListInput!) {
    createContactList(input: $input) {
      id
    }
  }
`);

const CREATE_CAMPAIGN = graphql(`
  mutation ConsoleCreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      id
    }
  }
`);

const PREVIEW = graphql(`
  query ConsolePreviewCampaign($id: ID!) {
    previewCampaign(id: $id, samples: 3) {
      recipients
      suppressed
      recipientsAfterSuppression
      estimatedSeconds
      routeId
      plannedRatePerMinute
      plannedRateLimitedBy
      estimatedSegments
      estimatedCost {
        total {
          currencyCode
          amountMinor
        }
        fromWallet {
          currencyCode
          amountMinor
        }
        includedSegments
        chargedSegments
        walletSufficient
      }
      samples {
        contactId
        text
        segments
        encoding
        missing
      }
    }
  }
`);

const START = graphql(`
  mutation ConsoleStartCampaign($id: ID!) {
    startCampaign(id: $id) {
      id
      status
    }
  }
`);

const PAUSE = graphql(`
  mutation ConsolePauseCampaign($id: ID!) {
    pauseCampaign(id: $id) {
      id
      status
    }
  }
`);

const RESUME = graphql(`
  mutation ConsoleResumeCampaign($id: ID!) {
    resumeCampaign(id: $id) {
      id
      status
    }
  }
`);

const CANCEL = graphql(`
  mutation ConsoleCancelCampaign($id: ID!) {
    cancelCampaign(id: $id) {
      id
      status
    }
  }
`);

type CampaignView = ConsoleCampaignsQuery['campaigns']['nodes'][number];

export function CampaignsPage() {
  const { data, error, refetch } = useQuery(CAMPAIGNS, { pollInterval: 2_000 });
  const [createList] = useMutation(CREATE_LIST);
  const [createCampaign] = useMutation(CREATE_CAMPAIGN);
  const [start] = useMutation(START);
  const [pause] = useMutation(PAUSE);
  const [resume] = useMutation(RESUME);
  const [cancel] = useMutation(CANCEL);
  const [problem, setProblem] = useState<string | null>(null);
  const [template, setTemplate] = useState('');
  const senders = useSenders();

  const run = async (action: () => Promise<unknown>, form?: HTMLFormElement) => {
    setProblem(null);
    try {
      await action();
      form?.reset();
      await refetch();
      return true;
    } catch (e) {
      setProblem(errorText(e));
      return false;
    }
  };

  const addList = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(
      () => createList({ variables: { input: { name: String(form.get('listName')) } } }),
      event.currentTarget,
    );
  };
  const addCampaign = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const at = (name: string) => {
      const value = String(form.get(name) ?? '');
      return value ? new Date(value).toISOString() : undefined;
    };
    const startAt = at('startAt');
    const endAt = at('endAt');
    const sender = senders.choiceOf(form);
    void run(
      () =>
        createCampaign({
          variables: {
            input: {
              name: String(form.get('campaignName')),
              listId: String(form.get('listId')),
              template: String(form.get('template')),
              ratePerMinute: Number(form.get('rate') || 60),
              priority: Number(form.get('priority') || 10),
              ...(startAt ? { startAt } : {}),
              ...(endAt ? { endAt } : {}),
              ...(sender ? { sender } : {}),
            },
          },
        }),
      event.currentTarget,
    ).then((ok) => {
      if (!ok) return;
      setTemplate('');
      senders.setRouteId('');
    });
  };

  const lists = data?.contactLists.nodes ?? [];
  const preview = templatePreview(template);
  return (
    <section aria-labelledby="campaigns-title">
      <h1 id="campaigns-title">Lists and campaigns</h1>
      {error && <p role="alert">{errorText(error)}</p>}
      {problem && <p role="alert">{problem}</p>}
      <h2>Lists</h2>
      <p className="muted">
        Members, CSV imports and segments: <Link href="/lists">the lists page</Link>.
      </p>
      <ul className="list">
        {lists.map((l) => (
          <li key={l.id}>
            {l.name} — {l.memberCount} contact{l.memberCount === 1 ? '' : 's'} (
            {l.kind.toLowerCase()})
          </li>
        ))}
      </ul>
      <form onSubmit={addList} className="card">
        <label>
          List name
          <input name="listName" required />
        </label>
        <button type="submit">Create list</button>
      </form>
      <h2>Campaigns</h2>
      <ul className="list">
        {data?.campaigns.nodes.map((c) => (
          <CampaignCard
            key={c.id}
            campaign={c}
            listName={lists.find((l) => l.id === c.listId)?.name ?? 'a deleted list'}
            routes={senders.allRoutes}
            act={(action) =>
              void run(() => {
                const variables = { variables: { id: c.id } };
                if (action === 'start') return start(variables);
                if (action === 'pause') return pause(variables);
                if (action === 'resume') return resume(variables);
                return cancel(variables);
              })
            }
          />
        ))}
      </ul>
      {lists.length > 0 && (
        <form onSubmit={addCampaign} className="card">
          <h3>New campaign</h3>
          <label>
            Campaign name
            <input name="campaignName" required />
          </label>
          <label>
            List
            <select name="listId" required>
              {lists.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name} ({l.kind === 'SEGMENT' ? 'segment' : 'list'}, {l.memberCount})
                </option>
              ))}
            </select>
          </label>
          <label>
            Template
            <textarea
              name="template"
              required
              rows={3}
              value={template}
              onChange={(e) => setTemplate(e.target.value)}
              aria-describedby="template-count template-help"
            />
          </label>
          <p id="template-help" className="muted">
            Placeholders: <code>{'{{first_name|there}}'}</code> (an attribute, with a fallback after
            the bar), <code>{'{{name}}'}</code>, <code>{'{{phone}}'}</code>.
          </p>
          {template && (
            <div className="card preview-box" aria-live="polite">
              <p className="muted">As a contact without attributes would get it:</p>
              <p data-testid="template-rendered" className="body">
                {preview.text}
              </p>
              <p id="template-count" data-testid="template-count">
                {preview.count.label}
              </p>
              {preview.missing.length > 0 && (
                <p>No fallback for: {preview.missing.join(', ')} (empty for contacts without it)</p>
              )}
            </div>
          )}
          <SenderFields senders={senders} />
          <label>
            Messages per minute
            <input name="rate" type="number" min={1} defaultValue={60} />
          </label>
          <label>
            Queue priority (0–49; transactional sends have 50)
            <input name="priority" type="number" min={0} max={49} defaultValue={10} />
          </label>
          <label>
            Start at (optional; local time)
            <input name="startAt" type="datetime-local" />
          </label>
          <label>
            Stop creating messages after (optional)
            <input name="endAt" type="datetime-local" />
          </label>
          <button type="submit">Create campaign</button>
        </form>
      )}
    </section>
  );
}

type Action = 'start' | 'pause' | 'resume' | 'cancel';

function CampaignCard(props: {
  campaign: CampaignView;
  listName: string;
  routes: readonly SenderRoute[];
  act: (action: Action) => void;
}) {
  const c = props.campaign;
  const percent = campaignPercent(c.progress);
  const [loadPreview, preview] = useLazyQuery(PREVIEW, { fetchPolicy: 'network-only' });
  const canStart = c.status === 'DRAFT';
  const cost = preview.data?.previewCampaign.estimatedCost;
  const active = c.status === 'RUNNING' || c.status === 'SCHEDULED';
  return (
    <li className="card" data-campaign={c.name}>
      <p>
        <strong>{c.name}</strong>{' '}
        <span className="badge" data-status={c.status}>
          {c.status}
        </span>{' '}
        <span className="muted">
          to {props.listName} · {c.ratePerMinute}/min · priority {c.priority}
          {senderText(c.sender, props.routes)}
          {c.startAt ? ` · starts ${new Date(c.startAt).toLocaleString()}` : ''}
        </span>
      </p>
      {c.pausedReason && (
        <p className="error" role="alert">
          {pausedReasonText(c.pausedReason)}
        </p>
      )}
      <progress max={100} value={percent} aria-label={`${c.name} progress`}>
        {percent}%
      </progress>
      <ProgressBar name={c.name} progress={c.progress} />
      <p className="muted" data-testid="campaign-counts">
        {c.progress.messagesSent} sent, {c.progress.messagesDelivered} delivered,{' '}
        {c.progress.messagesFailed} failed of {c.progress.recipientsTotal} ·{' '}
        {formatEta(c.progress.etaSeconds)}
        {c.progress.eta ? ` (${new Date(c.progress.eta).toLocaleTimeString()})` : ''}
      </p>
      {c.status === 'RUNNING' && (
        <p className="muted" data-testid="campaign-rate">
          Rate now {c.progress.rateNow}/min · paced at {c.progress.plannedRatePerMinute}/min
          {rateLimitText(c.progress.plannedRateLimitedBy)}
        </p>
      )}
      <div className="actions">
        {canStart && (
          <button
            type="button"
            className="secondary"
            onClick={() => void loadPreview({ variables: { id: c.id } })}
          >
            Preview {c.name}
          </button>
        )}
        {canStart && (
          <button type="button" onClick={() => props.act('start')}>
            Start {c.name}
          </button>
        )}
        {c.status === 'PAUSED' && (
          <button type="button" onClick={() => props.act('resume')}>
            Resume {c.name}
          </button>
        )}
        {active && (
          <button type="button" className="secondary" onClick={() => props.act('pause')}>
            Pause {c.name}
          </button>
        )}
        {(active || c.status === 'PAUSED' || canStart) && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              if (confirm(`Cancel ${c.name}? Messages not yet created are never sent.`))
                props.act('cancel');
            }}
          >
            Cancel {c.name}
          </button>
        )}
      </div>
      {preview.error && <p role="alert">{errorText(preview.error)}</p>}
      {preview.data && (
        <div data-testid="campaign-preview">
          <dl className="stats">
            <div>
              <dt>Recipients</dt>
              <dd>{preview.data.previewCampaign.recipients}</dd>
            </div>
            <div>
              <dt>Suppressed</dt>
              <dd>{preview.data.previewCampaign.suppressed}</dd>
            </div>
            <div>
              <dt>Will get it</dt>
              <dd data-testid="preview-after-suppression">
                {preview.data.previewCampaign.recipientsAfterSuppression}
              </dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{formatDuration(preview.data.previewCampaign.estimatedSeconds)}</dd>
            </div>
            <div>
              <dt>Paced at</dt>
              <dd data-testid="preview-rate">
                {preview.data.previewCampaign.plannedRatePerMinute}/min
                {rateLimitText(preview.data.previewCampaign.plannedRateLimitedBy)}
                {viaText(preview.data.previewCampaign.routeId, props.routes)}
              </dd>
            </div>
            <div>
              <dt>Segments</dt>
              <dd>{preview.data.previewCampaign.estimatedSegments}</dd>
            </div>
            {cost && (
              <div>
                <dt>Estimated cost</dt>
                <dd data-testid="preview-cost">{formatMoney(cost.total)}</dd>
              </div>
            )}
          </dl>
          {cost && (
            <p className="muted">
              {cost.includedSegments} segments in the plan’s remaining allowance,{' '}
              {cost.chargedSegments} charged ({formatMoney(cost.fromWallet)} from the wallet
              {cost.walletSufficient ? '' : ', more than it holds now: top it up first'}).
            </p>
          )}
          <h4>Samples</h4>
          <ul className="list">
            {preview.data.previewCampaign.samples.map((s) => (
              <li key={s.contactId} className="sample">
                <p className="body">{s.text}</p>
                <p className="muted">
                  {s.encoding === 'GSM7' ? 'GSM-7' : 'UCS-2 (Unicode)'} · {s.segments} segment
                  {s.segments === 1 ? '' : 's'}
                  {s.missing.length > 0 ? ` · no value for ${s.missing.join(', ')}` : ''}
                </p>
              </li>
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

const PART_COLORS: Record<ProgressPart, string> = {
  delivered: '#1b7a3a',
  sent: '#1f4fa3',
  failed: '#b42318',
  rejected: '#8a4b00',
  expired: '#6b4fa3',
  pending: '#d4d7dd',
};

/** A stacked bar of the recipients by where their message is (inline SVG). */
function ProgressBar(props: { name: string; progress: Parameters<typeof progressParts>[0] }) {
  const parts = progressParts(props.progress);
  const total = Math.max(
    1,
    PROGRESS_PARTS.reduce((sum, p) => sum + parts[p], 0),
  );
  let x = 0;
  const description = PROGRESS_PARTS.map((p) => `${parts[p]} ${p}`).join(', ');
  return (
    <figure className="campaign-bar">
      <svg
        viewBox="0 0 300 16"
        preserveAspectRatio="none"
        role="img"
        aria-label={`${props.name} by status: ${description}`}
        className="chart"
      >
        {PROGRESS_PARTS.map((p) => {
          const width = (parts[p] / total) * 300;
          const rect =
            width > 0 ? (
              <rect key={p} x={x} y={0} width={width} height={16} fill={PART_COLORS[p]}>
                <title>{`${p}: ${parts[p]}`}</title>
              </rect>
            ) : null;
          x += width;
          return rect;
        })}
      </svg>
      <figcaption className="legend">
        {PROGRESS_PARTS.map((p) => (
          <span key={p} data-part={p}>
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={PART_COLORS[p]} />
            </svg>{' '}
            {p} {parts[p]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
