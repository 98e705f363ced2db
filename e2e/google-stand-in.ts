// Google for the e2e platform: the local OpenID Connect provider accounts' own tests use
// (services/accounts/test/fixtures/oidc-provider.mjs, `oidc-provider` in a process of its own,
// signing in as the `login_hint` email at once), registered with the console's callback.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const GOOGLE_CLIENT_ID = 'switchboard-e2e';
const GOOGLE_CLIENT_SECRET = 'e2e-google-client-secret-0123456789';

export interface GoogleStandIn {
  issuer: string;
  /** accounts' GOOGLE_* settings pointing at it. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startGoogleStandIn(redirectUri: string): Promise<GoogleStandIn> {
  const fixture = join(__dirname, '../services/accounts/test/fixtures/oidc-provider.mjs');
  const child: ChildProcess = spawn(
    process.execPath,
    [fixture, GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, redirectUri],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const issuer = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('the Google stand-in did not start')), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (!buffer.includes('\n')) return;
      clearTimeout(timer);
      resolve((JSON.parse(buffer.split('\n')[0]) as { issuer: string }).issuer);
    });
    child.once('exit', (code) => reject(new Error(`the Google stand-in exited with ${code}`)));
  });
  return {
    issuer,
    env: {
      GOOGLE_OIDC_ISSUER: issuer,
      GOOGLE_CLIENT_ID,
      GOOGLE_CLIENT_SECRET,
      GOOGLE_REDIRECT_URI: redirectUri,
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
