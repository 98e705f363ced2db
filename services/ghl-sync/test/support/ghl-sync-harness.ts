// Boots the ghl-sync service as it runs in production (same module, same HTTP setup: raw
// bodies kept for signatures) against a database and a broker of its own, with access tokens
// issued like accounts issues them: libs/testing's service harness (GraphQL, events, watchers,
// SQL, restart).
import { startServiceHarness, type ServiceHarness } from '@switchboard/testing';
import { AppModule } from '../../src/app.module';
import { loadGhlSyncConfig, type GhlSyncConfig } from '../../src/config';
import { migrate } from '../../src/database';

export type GhlSyncHarness = ServiceHarness<GhlSyncConfig>;

export function startGhlSyncHarness(env: Record<string, string> = {}): Promise<GhlSyncHarness> {
  return startServiceHarness({
    service: 'ghl-sync',
    migrate,
    loadConfig: loadGhlSyncConfig,
    module: (config, logger) => AppModule.forRoot(config, { logger }),
    rawBody: true,
    env,
  });
}
