// Simulated SMSGate phones (tools/device-agent) for the e2e suites, enrolled the way a user does:
// an enrollment token from createDeviceEnrollment typed into the app, the app started, and the
// device ONLINE before the test goes on. `stopPhones` (each file's afterAll) switches off every
// phone the file enrolled.
import { SimulatedPhone, type AgentLogEntry, type OutcomeRatios } from '@switchboard/device-agent';
import type { GraphQLClient } from '@switchboard/testing';
import { platform } from './platform';
import { until } from './support';

export interface EnrollOptions {
  /** The enrollment's device name. */
  name?: string;
  /** How long the phone takes to send, then to have it delivered (default 50 ms each). */
  sendDelayMs?: number;
  deliveryDelayMs?: number;
  /** Default: every message delivered. */
  outcomes?: OutcomeRatios;
  errorCodes?: string[];
  /** Where the phone's log entries go (default: a new array, returned). */
  log?: AgentLogEntry[];
}

export interface EnrolledPhone {
  device: SimulatedPhone;
  id: string;
  log: AgentLogEntry[];
}

const enrolled: SimulatedPhone[] = [];

export async function enrollPhone(
  api: GraphQLClient,
  options: EnrollOptions = {},
): Promise<EnrolledPhone> {
  const { createDeviceEnrollment } = await api.expectData<{
    createDeviceEnrollment: { token: string };
  }>('mutation($name: String) { createDeviceEnrollment(name: $name) { token } }', {
    name: options.name ?? 'e2e phone',
  });
  const log = options.log ?? [];
  const device = new SimulatedPhone({
    apiUrl: `${platform().url('devices')}/api/mobile/v1`,
    sendDelayMs: options.sendDelayMs ?? 50,
    deliveryDelayMs: options.deliveryDelayMs ?? 50,
    outcomes: options.outcomes ?? { delivered: 1, sent: 0, failed: 0 },
    errorCodes: options.errorCodes,
    log: (entry) => log.push(entry),
  });
  const { deviceId } = await device.enroll(createDeviceEnrollment.token);
  await device.start();
  enrolled.push(device);
  await until('the phone to be ONLINE', async () => {
    const { device: d } = await api.expectData<{ device: { status: string } | null }>(
      'query($id: ID!) { device(id: $id) { status } }',
      { id: deviceId },
    );
    return d?.status === 'ONLINE';
  });
  return { device, id: deviceId, log };
}

/** Stops every phone enrolled so far (a phone switched off reports nothing more). */
export async function stopPhones(): Promise<void> {
  for (const phone of enrolled.splice(0)) await phone.stop().catch(() => undefined);
}
