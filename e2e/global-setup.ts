// Starts the whole platform once for the end-to-end tier (after checking the stack), and
// tells the test files where it runs through .stack/e2e-platform.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import stackGlobalSetup from '../libs/testing/src/global-setup';
import { loadStackEnv, stackDir, startPlatform } from '@switchboard/testing';

export default async function globalSetup(): Promise<void> {
  await stackGlobalSetup();
  loadStackEnv();
  const platform = await startPlatform({ label: 'e2e' });
  (globalThis as { __platform?: typeof platform }).__platform = platform;
  writeFileSync(
    join(stackDir(), 'e2e-platform.json'),
    JSON.stringify(
      {
        graphqlUrl: platform.graphqlUrl,
        mailSpool: platform.mailSpool,
        processes: platform.processes,
      },
      null,
      2,
    ),
  );
}
