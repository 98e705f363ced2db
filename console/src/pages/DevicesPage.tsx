import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import QRCode from 'qrcode';
import { graphql } from '../gql';
import { enrollmentQrText } from '../enrollment-qr';
import { errorText, shownAbove } from '../errors';
import { useIsOwner } from '../my-role';

const DEVICES = graphql(`
  query ConsoleDevices {
    devices {
      id
      name
      model
      status
      enabled
      lastSeenAt
      queueDepth
      sentCount
      deliveredCount
      failedCount
      quarantineReason
      sendRatePerMinute
      dailyLimit
      sims {
        slot
        operator
        maskedNumber
      }
    }
  }
`);

const UPDATE = graphql(`
  mutation ConsoleUpdateDevice($id: ID!, $input: UpdateDeviceInput!) {
    updateDevice(id: $id, input: $input) {
      id
      enabled
      status
      sendRatePerMinute
      dailyLimit
      quarantineReason
    }
  }
`);

const ENROLL = graphql(`
  mutation ConsoleCreateEnrollment($name: String) {
    createDeviceEnrollment(name: $name) {
      id
      token
      apiUrl
      expiresAt
    }
  }
`);

const SETTINGS = graphql(`
  query ConsoleDeviceSettings {
    deviceSettings {
      requireApprovalForSharedEnrollments
    }
  }
`);

const SET_SETTINGS = graphql(`
  mutation ConsoleSetDeviceSettings($requireApprovalForSharedEnrollments: Boolean!) {
    setDeviceSettings(requireApprovalForSharedEnrollments: $requireApprovalForSharedEnrollments) {
      requireApprovalForSharedEnrollments
    }
  }
`);

export function DevicesPage() {
  const { data, error } = useQuery(DEVICES, { pollInterval: 2_000 });
  const [enroll, enrollment] = useMutation(ENROLL);
  const [update, updating] = useMutation(UPDATE);
  const [problem, setProblem] = useState<string | null>(null);
  const change = (id: string, input: { enabled?: boolean; sendRatePerMinute?: number }) => {
    setProblem(null);
    void update({ variables: { id, input } }).catch((e: unknown) => setProblem(errorText(e)));
  };
  return (
    <section aria-labelledby="devices-title">
      <h1 id="devices-title">Devices</h1>
      <button
        type="button"
        // A refusal shows in enrollment.error (the alert below).
        onClick={() => void enroll({ variables: { name: 'Console phone' } }).catch(shownAbove)}
      >
        Add a phone
      </button>
      {enrollment.error && <p role="alert">{errorText(enrollment.error)}</p>}
      {enrollment.data && <EnrollmentCard {...enrollment.data.createDeviceEnrollment} />}
      {error && <p role="alert">{error.message}</p>}
      {problem && <p role="alert">{problem}</p>}
      {data && data.devices.length === 0 && <p>No phones yet.</p>}
      {data && data.devices.length > 0 && (
        <table>
          <caption className="visually-hidden">Phones</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Queue</th>
              <th scope="col">Sent / delivered / failed</th>
              <th scope="col">SIMs</th>
              <th scope="col">Pacing (per minute)</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.devices.map((d) => (
              <tr key={d.id} data-device-id={d.id}>
                <td>
                  {d.name}
                  {d.model ? ` (${d.model})` : ''}
                </td>
                <td>
                  <span className={`badge status-${d.status.toLowerCase()}`}>{d.status}</span>
                  {d.quarantineReason ? ` — ${d.quarantineReason}` : ''}
                </td>
                <td>{d.queueDepth}</td>
                <td>
                  {d.sentCount} / {d.deliveredCount} / {d.failedCount}
                </td>
                <td>
                  {d.sims
                    .map((s) => `${s.slot}: ${s.operator ?? '?'} ${s.maskedNumber ?? ''}`)
                    .join(', ') || '—'}
                </td>
                <td>
                  <form
                    className="inline"
                    onSubmit={(event) => {
                      event.preventDefault();
                      const rate = Number(new FormData(event.currentTarget).get('rate'));
                      change(d.id, { sendRatePerMinute: rate });
                    }}
                  >
                    <input
                      name="rate"
                      type="number"
                      min={1}
                      defaultValue={d.sendRatePerMinute}
                      aria-label={`Messages per minute for ${d.name}`}
                    />
                    <button type="submit" className="secondary" disabled={updating.loading}>
                      Save
                    </button>
                  </form>
                </td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    disabled={updating.loading}
                    onClick={() => change(d.id, { enabled: !d.enabled })}
                  >
                    {d.enabled ? `Take ${d.name} out of the pool` : `Put ${d.name} back`}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <DeviceSettingsCard />
    </section>
  );
}

/**
 * The organization's fleet settings; the API (devices:manage) shows and changes them to owners
 * only, so members see a note instead.
 */
function DeviceSettingsCard() {
  const isOwner = useIsOwner();
  const { data, error } = useQuery(SETTINGS, { skip: isOwner !== true });
  const [save, saving] = useMutation(SET_SETTINGS);
  const [saved, setSaved] = useState(false);
  const settings = data?.deviceSettings;
  return (
    <div className="card" aria-labelledby="device-settings-title">
      <h2 id="device-settings-title">Organization settings</h2>
      {isOwner === false && (
        <p className="muted" data-testid="device-settings-owner-only">
          Only the organization’s owner sees and changes the fleet settings.
        </p>
      )}
      {error && <p role="alert">{errorText(error)}</p>}
      {settings && (
        <form
          noValidate
          aria-label="Device settings"
          // Remounted with what the API answered (after a save or a refetch).
          key={String(settings.requireApprovalForSharedEnrollments)}
          onSubmit={(event) => {
            event.preventDefault();
            setSaved(false);
            const value =
              new FormData(event.currentTarget).get('requireApprovalForSharedEnrollments') === 'on';
            // A refusal shows in saving.error, next to the field.
            void save({ variables: { requireApprovalForSharedEnrollments: value } })
              .then(() => setSaved(true))
              .catch(shownAbove);
          }}
        >
          <fieldset className="stack">
            <legend>Phones from shared enrollment tokens</legend>
            <label className="check">
              <input
                type="checkbox"
                name="requireApprovalForSharedEnrollments"
                defaultChecked={settings.requireApprovalForSharedEnrollments}
                aria-describedby={
                  saving.error
                    ? 'shared-approval-hint shared-approval-error'
                    : 'shared-approval-hint'
                }
                aria-invalid={saving.error ? true : undefined}
              />
              Phones registered with a multi-use token wait for approval
            </label>
            <span id="shared-approval-hint" className="muted">
              A single-use token (from “Add a phone”) is never held; a token meant for several
              phones is, until each phone is approved.
            </span>
            {saving.error && (
              <span
                id="shared-approval-error"
                className="error"
                data-field-error="requireApprovalForSharedEnrollments"
              >
                {errorText(saving.error)}
              </span>
            )}
          </fieldset>
          {saved && <p role="status">Device settings saved.</p>}
          <button type="submit" disabled={saving.loading}>
            Save device settings
          </button>
        </form>
      )}
    </div>
  );
}

function EnrollmentCard(props: { token: string; apiUrl: string; expiresAt: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current)
      void QRCode.toCanvas(canvas.current, enrollmentQrText(props), {
        width: 256,
        margin: 4,
        errorCorrectionLevel: 'M',
      });
  }, [props]);
  return (
    <div className="card" aria-labelledby="enroll-title">
      <h2 id="enroll-title">Scan with the SMSGate app</h2>
      <canvas ref={canvas} role="img" aria-label="Enrollment QR code" data-testid="enrollment-qr" />
      <p>Or type these into the app's Cloud server settings:</p>
      <dl>
        <dt>Server URL</dt>
        <dd>
          <code>{props.apiUrl}</code>
        </dd>
        <dt>Token</dt>
        <dd>
          <code className="token">{props.token}</code>
        </dd>
        <dt>Valid until</dt>
        <dd>{new Date(props.expiresAt).toLocaleString()}</dd>
      </dl>
    </div>
  );
}
