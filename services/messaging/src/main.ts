import { tracing } from './tracing';
import { bootstrapService } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { loadMessagingConfig, messagingConfigShape } from './config';

void bootstrapService({
  service: 'messaging',
  tracing,
  configShape: messagingConfigShape,
  loadConfig: loadMessagingConfig,
  module: (config, logger) => AppModule.forRoot(config, { logger }),
  // Carriers sign the raw body of their callbacks (carriers/carrier-hooks.controller.ts).
  http: () => ({ rawBody: true }),
});
