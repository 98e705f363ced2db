import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { graphql } from '../gql';
import type { QuietHoursTransactionalAction, UpdateCompliancePolicyInput } from '../gql/graphql';
import { errorText } from '../errors';
import { useIsOwner } from '../my-role';
import { minutesToTime, policyFieldErrors, timeToMinutes, type PolicyField } from '../policy-form';

const POLICY = graphql(`
  query ConsoleCompliancePolicy {
    compliancePolicy {
      quietHours {
        enabled
        windowStartMinute
        windowEndMinute
        transactionalAction
        applyStateRules
      }
      consentRequiredForCampaigns
      retention {
        bodyRetentionDays
        metadataRetentionMonths
        auditRetentionDays
        requestLogRetentionDays
      }
      replies {
        stop
        start
        help
      }
      version
      updatedAt
    }
  }
`);

const UPDATE = graphql(`
  mutation ConsoleUpdateCompliancePolicy($input: UpdateCompliancePolicyInput!) {
    updateCompliancePolicy(input: $input) {
      version
      updatedAt
      quietHours {
        enabled
        windowStartMinute
        windowEndMinute
        transactionalAction
        applyStateRules
      }
      consentRequiredForCampaigns
      retention {
        bodyRetentionDays
        metadataRetentionMonths
        auditRetentionDays
        requestLogRetentionDays
      }
      replies {
        stop
        start
        help
      }
    }
  }
`);

const RETENTION_REPORT = graphql(`
  query ConsoleRetentionReport($first: Int, $after: String) {
    retentionReport(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          service
          job
          counts {
            name
            value
          }
          startedAt
          finishedAt
          policy {
            bodyRetentionDays
            metadataRetentionMonths
            auditRetentionDays
            requestLogRetentionDays
          }
          policyVersion
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const RUNS_PAGE_SIZE = 20;

type Errors = Partial<Record<PolicyField | 'form', string>>;

const ACTIONS: { value: QuietHoursTransactionalAction; label: string }[] = [
  { value: 'SEND', label: 'Send anyway (one-time codes, alerts)' },
  { value: 'HOLD', label: 'Hold until the window opens' },
  { value: 'REFUSE', label: 'Refuse (REJECTED, QUIET_HOURS)' },
];

/** A field with its hint and, next to it, the API's answer about it. */
function Field(props: {
  name: PolicyField;
  label: string;
  hint?: string;
  errors: Errors;
  children: (describedBy: string | undefined, invalid: boolean) => ReactNode;
}) {
  const error = props.errors[props.name];
  const ids = [props.hint && `${props.name}-hint`, error && `${props.name}-error`].filter(Boolean);
  return (
    <label>
      {props.label}
      {props.children(ids.length ? ids.join(' ') : undefined, Boolean(error))}
      {props.hint && (
        <span id={`${props.name}-hint`} className="muted">
          {props.hint}
        </span>
      )}
      {error && (
        <span id={`${props.name}-error`} className="error" data-field-error={props.name}>
          {error}
        </span>
      )}
    </label>
  );
}

export function CompliancePage() {
  const { data, error } = useQuery(POLICY);
  const isOwner = useIsOwner();
  const [update, updating] = useMutation(UPDATE);
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState<number | null>(null);
  const readOnly = isOwner !== true;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(null);
    const form = new FormData(event.currentTarget);
    const problems: Errors = {};
    const time = (name: 'windowStartMinute' | 'windowEndMinute') => {
      const minutes = timeToMinutes(String(form.get(name) ?? ''));
      if (minutes === null) problems[name] = 'Enter a time as HH:MM (00:00–24:00)';
      return minutes ?? undefined;
    };
    const whole = (name: PolicyField) => {
      const text = String(form.get(name) ?? '').trim();
      if (!/^-?\d+$/.test(text)) {
        problems[name] = 'Enter a whole number';
        return undefined;
      }
      return Number(text);
    };
    const input: UpdateCompliancePolicyInput = {
      quietHoursEnabled: form.get('quietHoursEnabled') === 'on',
      windowStartMinute: time('windowStartMinute'),
      windowEndMinute: time('windowEndMinute'),
      transactionalAction: String(form.get('transactionalAction')) as QuietHoursTransactionalAction,
      applyStateRules: form.get('applyStateRules') === 'on',
      consentRequiredForCampaigns: form.get('consentRequiredForCampaigns') === 'on',
      bodyRetentionDays: whole('bodyRetentionDays'),
      metadataRetentionMonths: whole('metadataRetentionMonths'),
      auditRetentionDays: whole('auditRetentionDays'),
      requestLogRetentionDays: whole('requestLogRetentionDays'),
      stopReply: String(form.get('stopReply') ?? ''),
      startReply: String(form.get('startReply') ?? ''),
      helpReply: String(form.get('helpReply') ?? ''),
    };
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    try {
      const result = await update({
        variables: { input },
        refetchQueries: ['ConsoleCompliancePolicy'],
        awaitRefetchQueries: true,
      });
      setSaved(result.data?.updateCompliancePolicy.version ?? null);
    } catch (e) {
      const invalid =
        CombinedGraphQLErrors.is(e) &&
        e.errors.find((x) => x.extensions?.code === 'INVALID_POLICY');
      setErrors(invalid ? policyFieldErrors(invalid.message) : { form: errorText(e) });
    }
  }

  const policy = data?.compliancePolicy;
  return (
    <section aria-labelledby="compliance-title">
      <h1 id="compliance-title">Compliance settings</h1>
      {error && <p role="alert">{errorText(error)}</p>}
      {isOwner === false && (
        <p className="muted" data-testid="read-only">
          Only the organization’s owner changes these settings; you see them read-only.
        </p>
      )}
      {policy && (
        <form onSubmit={submit} noValidate key={policy.version} aria-label="Compliance policy">
          <fieldset disabled={readOnly} className="stack">
            <legend>Quiet hours</legend>
            <p className="muted">
              Marketing messages go out only inside this window, in each recipient’s local time zone
              (from the number), every day of the week.
            </p>
            <label className="check">
              <input
                type="checkbox"
                name="quietHoursEnabled"
                defaultChecked={policy.quietHours.enabled}
              />
              Enforce quiet hours
            </label>
            <Field name="windowStartMinute" label="Window start" hint="HH:MM" errors={errors}>
              {(describedBy, invalid) => (
                <input
                  name="windowStartMinute"
                  inputMode="numeric"
                  defaultValue={minutesToTime(policy.quietHours.windowStartMinute)}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
            <Field
              name="windowEndMinute"
              label="Window end"
              hint="HH:MM, exclusive; 24:00 is midnight"
              errors={errors}
            >
              {(describedBy, invalid) => (
                <input
                  name="windowEndMinute"
                  inputMode="numeric"
                  defaultValue={minutesToTime(policy.quietHours.windowEndMinute)}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
            <Field
              name="transactionalAction"
              label="Transactional messages outside the window"
              errors={errors}
            >
              {(describedBy) => (
                <select
                  name="transactionalAction"
                  defaultValue={policy.quietHours.transactionalAction}
                  aria-describedby={describedBy}
                >
                  {ACTIONS.map((a) => (
                    <option key={a.value} value={a.value}>
                      {a.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <label className="check">
              <input
                type="checkbox"
                name="applyStateRules"
                defaultChecked={policy.quietHours.applyStateRules}
              />
              Also apply the stricter windows of the recipient’s state
            </label>
          </fieldset>
          <fieldset disabled={readOnly} className="stack">
            <legend>Consent</legend>
            <label className="check">
              <input
                type="checkbox"
                name="consentRequiredForCampaigns"
                defaultChecked={policy.consentRequiredForCampaigns}
              />
              Campaign messages only to numbers with recorded consent
            </label>
          </fieldset>
          <fieldset disabled={readOnly} className="stack">
            <legend>Retention</legend>
            <Field
              name="bodyRetentionDays"
              label="Message bodies (days)"
              hint="Redacted this many days after their final status: 1–90"
              errors={errors}
            >
              {(describedBy, invalid) => (
                <input
                  name="bodyRetentionDays"
                  inputMode="numeric"
                  defaultValue={policy.retention.bodyRetentionDays}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
            <Field
              name="metadataRetentionMonths"
              label="Message metadata (months)"
              hint="1–24"
              errors={errors}
            >
              {(describedBy, invalid) => (
                <input
                  name="metadataRetentionMonths"
                  inputMode="numeric"
                  defaultValue={policy.retention.metadataRetentionMonths}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
            <Field
              name="auditRetentionDays"
              label="Audit log (days)"
              hint="1–2555 (7 years)"
              errors={errors}
            >
              {(describedBy, invalid) => (
                <input
                  name="auditRetentionDays"
                  inputMode="numeric"
                  defaultValue={policy.retention.auditRetentionDays}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
            <Field
              name="requestLogRetentionDays"
              label="Delivery and request logs (days)"
              hint="1–365"
              errors={errors}
            >
              {(describedBy, invalid) => (
                <input
                  name="requestLogRetentionDays"
                  inputMode="numeric"
                  defaultValue={policy.retention.requestLogRetentionDays}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                />
              )}
            </Field>
          </fieldset>
          <fieldset disabled={readOnly} className="stack">
            <legend>Keyword replies</legend>
            <p className="muted">
              Empty: the default. {'{{organization}}'} becomes your organization’s name.
            </p>
            {(
              [
                ['stopReply', 'Reply to STOP', policy.replies.stop],
                ['startReply', 'Reply to START', policy.replies.start],
                ['helpReply', 'Reply to HELP', policy.replies.help],
              ] as const
            ).map(([name, label, value]) => (
              <Field key={name} name={name} label={label} errors={errors}>
                {(describedBy, invalid) => (
                  <textarea
                    name={name}
                    rows={2}
                    defaultValue={value ?? ''}
                    aria-describedby={describedBy}
                    aria-invalid={invalid || undefined}
                  />
                )}
              </Field>
            ))}
          </fieldset>
          {errors.form && <p role="alert">{errors.form}</p>}
          {Object.keys(errors).length > 0 && !errors.form && (
            <p role="alert">Not saved: see the fields marked above.</p>
          )}
          {saved !== null && <p role="status">Saved (version {saved}).</p>}
          {!readOnly && (
            <button type="submit" disabled={updating.loading}>
              Save settings
            </button>
          )}
          <p className="muted">
            Version {policy.version}, changed {new Date(policy.updatedAt).toLocaleString()}.
          </p>
        </form>
      )}
      {isOwner === true && <RetentionReport />}
    </section>
  );
}

/** What each service's retention job deleted or redacted, and when (owner). */
function RetentionReport() {
  const { data, error, fetchMore } = useQuery(RETENTION_REPORT, {
    variables: { first: RUNS_PAGE_SIZE },
    fetchPolicy: 'network-only',
  });
  const [moreError, setMoreError] = useState<string | null>(null);
  const edges = data?.retentionReport.edges ?? [];
  return (
    <div className="card" aria-labelledby="retention-report-title">
      <h2 id="retention-report-title">Retention report</h2>
      <p className="muted">
        What each service deleted or redacted under the periods above, newest first. Runs that
        changed nothing are not listed.
      </p>
      {error && <p role="alert">{errorText(error)}</p>}
      {data && edges.length === 0 && <p>Nothing deleted or redacted yet.</p>}
      {edges.length > 0 && (
        <table>
          <caption className="visually-hidden">Retention runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Finished</th>
              <th scope="col">Service</th>
              <th scope="col">Job</th>
              <th scope="col">What changed</th>
              <th scope="col">Periods in force</th>
            </tr>
          </thead>
          <tbody>
            {edges.map(({ node }) => (
              <tr key={node.id} data-retention-run={node.id}>
                <td>
                  <time dateTime={node.finishedAt}>
                    {new Date(node.finishedAt).toLocaleString()}
                  </time>
                </td>
                <td>{node.service}</td>
                <td>{node.job}</td>
                <td>{node.counts.map((c) => `${c.value} ${c.name}`).join(', ') || '—'}</td>
                <td className="muted">
                  {node.policy
                    ? `bodies ${node.policy.bodyRetentionDays} d, metadata ${node.policy.metadataRetentionMonths} mo, audit ${node.policy.auditRetentionDays} d, logs ${node.policy.requestLogRetentionDays} d` +
                      (node.policyVersion === 0
                        ? ' (defaults)'
                        : ` (version ${node.policyVersion})`)
                    : 'platform'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {moreError && <p role="alert">{moreError}</p>}
      {data?.retentionReport.pageInfo.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setMoreError(null);
            fetchMore({
              variables: { after: data.retentionReport.pageInfo.endCursor },
              updateQuery: (previous, { fetchMoreResult }) => ({
                retentionReport: {
                  ...fetchMoreResult.retentionReport,
                  edges: [
                    ...previous.retentionReport.edges,
                    ...fetchMoreResult.retentionReport.edges,
                  ],
                },
              }),
            }).catch((e: unknown) => setMoreError(errorText(e)));
          }}
        >
          Older runs
        </button>
      )}
    </div>
  );
}
