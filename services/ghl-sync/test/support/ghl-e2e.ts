// The local GHL of the end-to-end tier. The platform starts first (global setup) with this
// GHL's address and public key; the GHL test file then runs the server itself at that address
// with the private key (its state — messages, statuses, contacts — lives in the test's process).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GhlTestServer } from './ghl-test-server';

interface E2eGhl {
  port: number;
  ed25519PrivateKeyPem: string;
}

const file = (stackDir: string) => join(stackDir, 'e2e-ghl.json');

/** For the global setup: ghl-sync's environment, pointing at the GHL the test will start. */
export function e2eGhlEnv(stackDir: string, port: number): Record<string, string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const settings: E2eGhl = {
    port,
    ed25519PrivateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  writeFileSync(file(stackDir), JSON.stringify(settings));
  const server = new GhlTestServer(settings);
  return {
    GHL_API_BASE: `http://127.0.0.1:${port}`,
    GHL_CLIENT_ID: server.clientId,
    GHL_CLIENT_SECRET: server.clientSecret,
    GHL_APP_ID: server.appId,
    GHL_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    GHL_CALLBACK_INTERVAL_MS: '200',
  };
}

/** For the GHL test file: the local GHL the platform was started with, listening. */
export function startE2eGhl(stackDir: string): Promise<GhlTestServer> {
  const settings = JSON.parse(readFileSync(file(stackDir), 'utf8')) as E2eGhl;
  return new GhlTestServer(settings).start();
}
