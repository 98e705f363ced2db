import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import QRCode from 'qrcode';
import { graphql } from '../gql';
import { enrollmentQrText } from '../enrollment-qr';
import { errorText, shownAbove } from '../errors';

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
    </section>
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
