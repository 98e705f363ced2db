import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { errorText } from '../errors';
import { campaignPercent, formatEta } from '../campaign-progress';

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
        status
        ratePerMinute
        progress {
          recipientsTotal
          messagesSent
          messagesDelivered
          messagesFailed
          messagesRejected
          etaSeconds
        }
      }
    }
  }
`);

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

export function CampaignsPage() {
  const { data, error, refetch } = useQuery(CAMPAIGNS, { pollInterval: 3_000 });
  const [createList] = useMutation(CREATE_LIST);
  const [createCampaign] = useMutation(CREATE_CAMPAIGN);
  const [start] = useMutation(START);
  const [pause] = useMutation(PAUSE);
  const [problem, setProblem] = useState<string | null>(null);

  const run = async (action: () => Promise<unknown>, form?: HTMLFormElement) => {
    setProblem(null);
    try {
      await action();
      form?.reset();
      await refetch();
    } catch (e) {
      setProblem(errorText(e));
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
    void run(
      () =>
        createCampaign({
          variables: {
            input: {
              name: String(form.get('campaignName')),
              listId: String(form.get('listId')),
              template: String(form.get('template')),
              ratePerMinute: Number(form.get('rate') || 60),
            },
          },
        }),
      event.currentTarget,
    );
  };

  const lists = data?.contactLists.nodes ?? [];
  return (
    <section aria-labelledby="campaigns-title">
      <h1 id="campaigns-title">Lists and campaigns</h1>
      {error && <p role="alert">{error.message}</p>}
      {problem && <p role="alert">{problem}</p>}
      <h2>Lists</h2>
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
        {data?.campaigns.nodes.map((c) => {
          const percent = campaignPercent(c.progress);
          return (
            <li key={c.id} className="card" data-campaign={c.name}>
              <p>
                <strong>{c.name}</strong>{' '}
                <span className="badge" data-status={c.status}>
                  {c.status}
                </span>
              </p>
              <progress max={100} value={percent} aria-label={`${c.name} progress`}>
                {percent}%
              </progress>
              <p className="muted">
                {c.progress.messagesSent} sent, {c.progress.messagesDelivered} delivered,{' '}
                {c.progress.messagesFailed} failed of {c.progress.recipientsTotal} ·{' '}
                {formatEta(c.progress.etaSeconds)}
              </p>
              {(c.status === 'DRAFT' || c.status === 'PAUSED') && (
                <button
                  type="button"
                  onClick={() => void run(() => start({ variables: { id: c.id } }))}
                >
                  {c.status === 'PAUSED' ? 'Resume' : 'Start'} {c.name}
                </button>
              )}
              {c.status === 'RUNNING' && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void run(() => pause({ variables: { id: c.id } }))}
                >
                  Pause {c.name}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {lists.length > 0 && (
        <form onSubmit={addCampaign} className="card">
          <label>
            Campaign name
            <input name="campaignName" required />
          </label>
          <label>
            List
            <select name="listId" required>
              {lists.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Template
            <textarea name="template" required rows={3} />
          </label>
          <label>
            Messages per minute
            <input name="rate" type="number" min={1} defaultValue={60} />
          </label>
          <button type="submit">Create campaign</button>
        </form>
      )}
    </section>
  );
}
