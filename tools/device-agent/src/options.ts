import { parseArgs } from 'node:util';
import type { OutcomeRatios } from './simulated-phone';

export const USAGE = `switchboard-device-agent: simulated SMSGate phones for a Switchboard device API

Usage:
  switchboard-device-agent enroll  --api-url URL --token ENROLLMENT_TOKEN [--devices N] [--state FILE]
  switchboard-device-agent run     [--state FILE | --api-url URL --token ENROLLMENT_TOKEN --devices N]
                                   [--send-delay-ms 500] [--delivery-delay-ms 1500]
                                   [--delivered 0.9] [--sent 0.05] [--failed 0.05]
                                   [--errors CODE,...] [--order fifo|lifo] [--log FILE|-]
                                   [--duration-s N]
  switchboard-device-agent receive --from +15551234567 --text "hello" [--state FILE] [--device I]

  --api-url   the device API, e.g. https://switchboard.example/api/mobile/v1 (what the app's
              "API URL" setting holds); --token an enrollment token from createDeviceEnrollment
  --state     where enrolled phones are kept (default .device-agent.json)
  --log       JSON lines of everything the phones do (handouts with their time and segments);
              "-" for stdout. Progress goes to stderr.
`;

export interface AgentOptions {
  command: 'enroll' | 'run' | 'receive' | 'help';
  apiUrl?: string;
  token?: string;
  devices: number;
  state: string;
  name?: string;
  sendDelayMs: number;
  deliveryDelayMs: number;
  outcomes: OutcomeRatios;
  errors?: string[];
  order: 'fifo' | 'lifo';
  log?: string;
  durationS?: number;
  from?: string;
  text?: string;
  device: number;
}

function number(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min)
    throw new Error(`--${name} must be a number >= ${min}`);
  return parsed;
}

/** Parses the command line; throws with a message naming the bad option. */
export function parseOptions(argv: string[]): AgentOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'api-url': { type: 'string' },
      token: { type: 'string' },
      devices: { type: 'string' },
      state: { type: 'string' },
      name: { type: 'string' },
      'send-delay-ms': { type: 'string' },
      'delivery-delay-ms': { type: 'string' },
      delivered: { type: 'string' },
      sent: { type: 'string' },
      failed: { type: 'string' },
      errors: { type: 'string' },
      order: { type: 'string' },
      log: { type: 'string' },
      'duration-s': { type: 'string' },
      from: { type: 'string' },
      text: { type: 'string' },
      device: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = values.help ? 'help' : (positionals[0] ?? 'help');
  if (!['enroll', 'run', 'receive', 'help'].includes(command)) {
    throw new Error(`unknown command "${command}"`);
  }
  const failed = number(values.failed, 'failed', 0);
  const sent = number(values.sent, 'sent', 0);
  const delivered = number(values.delivered, 'delivered', Math.max(0, 1 - failed - sent));
  const total = failed + sent + delivered;
  if (total <= 0) throw new Error('--delivered, --sent and --failed can not all be 0');
  const order = values.order ?? 'fifo';
  if (order !== 'fifo' && order !== 'lifo') throw new Error('--order must be fifo or lifo');
  const options: AgentOptions = {
    command: command as AgentOptions['command'],
    apiUrl: values['api-url']?.replace(/\/+$/, ''),
    token: values.token,
    devices: Math.floor(number(values.devices, 'devices', 1, 1)),
    state: values.state ?? '.device-agent.json',
    name: values.name,
    sendDelayMs: number(values['send-delay-ms'], 'send-delay-ms', 500),
    deliveryDelayMs: number(values['delivery-delay-ms'], 'delivery-delay-ms', 1500),
    outcomes: { delivered: delivered / total, sent: sent / total, failed: failed / total },
    errors: values.errors
      ?.split(',')
      .map((e) => e.trim())
      .filter(Boolean),
    order,
    log: values.log,
    durationS:
      values['duration-s'] === undefined
        ? undefined
        : number(values['duration-s'], 'duration-s', 0),
    from: values.from,
    text: values.text,
    device: Math.floor(number(values.device, 'device', 0)),
  };
  if (options.command === 'enroll' && (!options.apiUrl || !options.token)) {
    throw new Error('enroll needs --api-url and --token');
  }
  if (options.command === 'receive' && (!options.from || options.text === undefined)) {
    throw new Error('receive needs --from and --text');
  }
  if (options.apiUrl && !/^https?:\/\//.test(options.apiUrl)) {
    throw new Error('--api-url must be an http(s) URL');
  }
  return options;
}
