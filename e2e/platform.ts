import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackDir, type PlatformProcess } from '@switchboard/testing';

export interface RunningPlatform {
  graphqlUrl?: string;
  mailSpool: string;
  /** The public base carriers call back; post to p.url('messaging') instead (global-setup). */
  carrierCallbackBaseUrl?: string;
  /** The local Stripe's webhook signing secret (billing verifies with it). */
  stripeWebhookSecret?: string;
  /** The local Google (OpenID Connect) stand-in accounts signs in with (global-setup). */
  googleIssuer?: string;
  /** The broker the platform uses (global-setup). */
  brokers?: string[];
  processes: PlatformProcess[];
  url(name: string): string;
  process(name: string): PlatformProcess;
}

/** Where the platform started by the e2e global setup runs. */
export function platform(): RunningPlatform {
  const info = JSON.parse(readFileSync(join(stackDir(), 'e2e-platform.json'), 'utf8')) as Omit<
    RunningPlatform,
    'url' | 'process'
  >;
  const find = (name: string) => {
    const found = info.processes.find((p) => p.name === name);
    if (!found) throw new Error(`${name} is not running in the e2e platform`);
    return found;
  };
  return { ...info, url: (name) => find(name).url, process: find };
}
