import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackDir, type PlatformProcess } from '@switchboard/testing';

/** Where the platform started by the e2e global setup runs. */
export function platform(): {
  graphqlUrl?: string;
  processes: PlatformProcess[];
  url(name: string): string;
} {
  const info = JSON.parse(readFileSync(join(stackDir(), 'e2e-platform.json'), 'utf8')) as {
    graphqlUrl?: string;
    processes: PlatformProcess[];
  };
  return {
    ...info,
    url(name: string) {
      const process = info.processes.find((p) => p.name === name);
      if (!process) throw new Error(`${name} is not running in the e2e platform`);
      return process.url;
    },
  };
}
