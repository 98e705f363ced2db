// Rotates the JWT signing key: `node dist/services/accounts/src/rotate-signing-key.js [--activate-in <seconds>]`.
// The new key is published in the JWKS at once and signs from its activation on (default: now;
// give verifiers' JWKS cache time, e.g. 300, when an HTTP cache sits in front of the JWKS).
// Retired keys stay published until every token they signed has expired. Safe to run while
// the service runs: replicas pick the new key up within 30 seconds.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createLogger } from '@switchboard/observability';
import { SystemClock } from '@switchboard/service-kit';
import { keyRetentionSeconds } from './keys/keys.providers';
import { loadAccountsConfig } from './config';
import { SigningKeys } from './keys/signing-keys.service';

export function parseActivateIn(argv: string[]): number {
  const at = argv.indexOf('--activate-in');
  if (at < 0) return 0;
  const value = Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 0)
    throw new Error('--activate-in needs a number of seconds');
  return value;
}

async function main(): Promise<void> {
  const config = loadAccountsConfig();
  const logger = createLogger({ service: 'accounts', level: config.LOG_LEVEL });
  const dataSource = new DataSource({ type: 'postgres', url: config.DATABASE_URL });
  await dataSource.initialize();
  try {
    const keys = new SigningKeys(dataSource, new SystemClock(), {
      encryptionKey: config.SIGNING_KEY_ENCRYPTION_KEY,
      retentionSeconds: keyRetentionSeconds(config),
    });
    const rotation = await keys.rotate(parseActivateIn(process.argv.slice(2)));
    logger.info(
      {
        kid: rotation.kid,
        activeFrom: rotation.activeFrom.toISOString(),
        retired: rotation.retired,
      },
      'signing key rotated',
    );
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
