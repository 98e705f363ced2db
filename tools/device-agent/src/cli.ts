#!/usr/bin/env node
// The device agent's command line: enroll simulated phones, run them, inject inbound SMS.
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseOptions, USAGE, type AgentOptions } from './options';
import { SimulatedPhone, type AgentLogEntry, type PhoneCredentials } from './simulated-phone';

interface StateFile {
  apiUrl: string;
  devices: PhoneCredentials[];
}

function readState(path: string): StateFile | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as StateFile;
}

function logSink(target: string | undefined): (entry: AgentLogEntry) => void {
  if (!target) return () => undefined;
  if (target === '-') return (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`);
  const stream = createWriteStream(target, { flags: 'a' });
  return (entry) => stream.write(`${JSON.stringify(entry)}\n`);
}

function phoneOptions(
  options: AgentOptions,
  apiUrl: string,
  index: number,
  log = logSink(undefined),
) {
  return {
    apiUrl,
    name: options.name ?? `Switchboard/agent-${index + 1}`,
    sendDelayMs: options.sendDelayMs,
    deliveryDelayMs: options.deliveryDelayMs,
    outcomes: options.outcomes,
    errorCodes: options.errors,
    order: options.order,
    log,
    sims: [
      {
        slotIndex: 0,
        simNumber: 1,
        phoneNumber: `****${String(1000 + index).slice(-4)}`,
        carrierName: 'Simulated',
      },
    ],
  };
}

async function enroll(options: AgentOptions): Promise<void> {
  const devices: PhoneCredentials[] = [];
  for (let i = 0; i < options.devices; i++) {
    const phone = new SimulatedPhone(phoneOptions(options, options.apiUrl!, i));
    devices.push(await phone.enroll(options.token!));
  }
  const previous = readState(options.state);
  const state: StateFile = {
    apiUrl: options.apiUrl!,
    devices:
      previous && previous.apiUrl === options.apiUrl ? [...previous.devices, ...devices] : devices,
  };
  writeFileSync(options.state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  for (const device of devices) {
    console.error(
      device.pendingApproval
        ? `enrolled device ${device.deviceId}: waiting for approval (approveDevice in Switchboard)`
        : `enrolled device ${device.deviceId}`,
    );
  }
  console.error(`${state.devices.length} device(s) in ${options.state}`);
}

async function run(options: AgentOptions): Promise<void> {
  const log = logSink(options.log);
  let phones: SimulatedPhone[];
  if (options.token && options.apiUrl) {
    phones = [];
    for (let i = 0; i < options.devices; i++) {
      const phone = new SimulatedPhone(phoneOptions(options, options.apiUrl, i, log));
      await phone.enroll(options.token);
      phones.push(phone);
    }
  } else {
    const state = readState(options.state);
    if (!state?.devices.length) {
      throw new Error(
        `no enrolled devices in ${options.state}: run "enroll" or give --api-url and --token`,
      );
    }
    phones = state.devices.map(
      (credentials, i) =>
        new SimulatedPhone(phoneOptions(options, state.apiUrl, i, log), credentials),
    );
  }
  await Promise.all(phones.map((p) => p.start()));
  console.error(`${phones.length} phone(s) connected; Ctrl-C to stop`);
  const progress = setInterval(() => {
    const total = { connected: 0, handedOut: 0, sent: 0, delivered: 0, failed: 0 };
    for (const p of phones) {
      total.connected += p.connected ? 1 : 0;
      total.handedOut += p.stats.handedOut;
      total.sent += p.stats.sent;
      total.delivered += p.stats.delivered;
      total.failed += p.stats.failed;
    }
    console.error(
      `connected ${total.connected}/${phones.length}  received ${total.handedOut}  sent ${total.sent}  delivered ${total.delivered}  failed ${total.failed}`,
    );
  }, 5000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (options.durationS !== undefined) setTimeout(resolve, options.durationS * 1000);
  });
  clearInterval(progress);
  await Promise.all(phones.map((p) => p.stop()));
  console.error('stopped');
}

async function receive(options: AgentOptions): Promise<void> {
  const state = readState(options.state);
  const credentials = state?.devices[options.device];
  if (!state || !credentials) throw new Error(`no device #${options.device} in ${options.state}`);
  const phone = new SimulatedPhone(
    phoneOptions(options, state.apiUrl, options.device),
    credentials,
  );
  const { status, messageId } = await phone.receive(options.from!, options.text!);
  console.error(`posted sms:received ${messageId}: HTTP ${status}`);
  if (status >= 300) process.exitCode = 1;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  switch (options.command) {
    case 'enroll':
      return enroll(options);
    case 'run':
      return run(options);
    case 'receive':
      return receive(options);
    default:
      process.stdout.write(USAGE);
  }
}

main().catch((error: Error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
