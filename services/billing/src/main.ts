import { tracing } from './tracing';
import { bootstrapService } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { billingConfigShape, loadBillingConfig } from './config';

void bootstrapService({
  service: 'billing',
  tracing,
  configShape: billingConfigShape,
  loadConfig: loadBillingConfig,
  module: (config, logger) => AppModule.forRoot(config, { logger }),
  // Stripe signs the raw body of its webhooks.
  http: () => ({ rawBody: true }),
});
