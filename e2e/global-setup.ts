// Starts the whole platform once for the end-to-end tier (after checking the stack), on a broker
// of its own, and tells the test files where it runs through .stack/e2e-platform.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import stackGlobalSetup from '../libs/testing/src/global-setup';
import { freePort, loadStackEnv, stackDir, startPlatform } from '@switchboard/testing';
import { CarrierTestServer } from '../services/messaging/test/support/carrier-test-server';
import { mediaTestTls } from '../services/messaging/test/support/media-server';
import { e2eGhlEnv } from '../services/ghl-sync/test/support/ghl-e2e';
import { StripeTestServer } from '../services/billing/test/support/stripe-test-server';
import { startGoogleStandIn } from './google-stand-in';

/** The public base carriers would call back (the tests post to messaging's own address). */
export const CARRIER_CALLBACK_BASE_URL = 'https://hooks.switchboard.test';

export default async function globalSetup(): Promise<void> {
  await stackGlobalSetup();
  loadStackEnv();
  // A local Twilio + Telnyx (every request checked against the vendors' OpenAPI specs).
  const carriers = await CarrierTestServer.start();
  (globalThis as { __carriers?: CarrierTestServer }).__carriers = carriers;
  // A local Stripe for billing (every request checked against Stripe's OpenAPI spec).
  const stripe = await StripeTestServer.start();
  (globalThis as { __stripe?: StripeTestServer }).__stripe = stripe;
  // A local Google (OpenID Connect) that sends the browser back to the console's callback: the
  // gateway's port is chosen first so the callback can be registered with it.
  const gatewayPort = await freePort();
  const google = await startGoogleStandIn(`http://127.0.0.1:${gatewayPort}/auth/google/callback`);
  (globalThis as { __google?: typeof google }).__google = google;
  const platform = await startPlatform({
    label: 'e2e',
    // A broker of its own: the services' new consumer groups start on an empty history, not on
    // everything the long-lived stack broker kept from earlier runs and the integration tier.
    broker: 'private',
    // As the start command runs it (every component a worker thread of one process);
    // E2E_PLATFORM_MODE=processes runs one process per component, as the Helm chart does.
    mode: process.env.E2E_PLATFORM_MODE === 'processes' ? 'processes' : 'single-process',
    gatewayPort,
    // A local GHL (ghl.e2e-spec.ts runs it at this address with the matching private key).
    env: {
      ...carriers.env,
      ...stripe.env,
      ...google.env,
      CARRIER_CALLBACK_BASE_URL,
      // Inbound MMS media from the test files' local HTTPS host (media.e2e-spec.ts): its
      // certificate trusted, loopback allowed, links that expire soon.
      MEDIA_ALLOWED_ADDRESSES: '127.0.0.1',
      MEDIA_EXTRA_CA: mediaTestTls(join(stackDir(), 'e2e-media-tls')).cert,
      MEDIA_LINK_TTL_SECONDS: '10',
      MEDIA_POLL_INTERVAL_MS: '200',
      ...e2eGhlEnv(stackDir(), await freePort()),
    },
  });
  (globalThis as { __platform?: typeof platform }).__platform = platform;
  // The test files' own producers and watchers (stackSetting('KAFKA_BROKERS')) use it too.
  process.env.KAFKA_BROKERS = platform.brokers.join(',');
  writeFileSync(
    join(stackDir(), 'e2e-platform.json'),
    JSON.stringify(
      {
        graphqlUrl: platform.graphqlUrl,
        mailSpool: platform.mailSpool,
        brokers: platform.brokers,
        processes: platform.processes,
        carrierCallbackBaseUrl: CARRIER_CALLBACK_BASE_URL,
        stripeWebhookSecret: stripe.webhookSecret,
        googleIssuer: google.issuer,
      },
      null,
      2,
    ),
  );
}
