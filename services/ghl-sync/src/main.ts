import { tracing } from './tracing';
import { bootstrapService } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { ghlSyncConfigShape, loadGhlSyncConfig } from './config';

void bootstrapService({
  service: 'ghl-sync',
  tracing,
  configShape: ghlSyncConfigShape,
  loadConfig: loadGhlSyncConfig,
  module: (config, logger) => AppModule.forRoot(config, { logger }),
  // GHL signs the raw bytes of its webhooks (Ed25519 over the body as sent).
  http: () => ({ rawBody: true }),
});
