import { tracing } from './tracing';
import { bootstrapService } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { accountsConfigShape, loadAccountsConfig } from './config';

void bootstrapService({
  service: 'accounts',
  tracing,
  configShape: accountsConfigShape,
  loadConfig: loadAccountsConfig,
  module: (config, logger) => AppModule.forRoot(config, { logger }),
  warnings: (config) =>
    config.NODE_ENV !== 'production' &&
    (!process.env.SIGNING_KEY_ENCRYPTION_KEY || !process.env.INTERNAL_API_SECRET)
      ? ['SIGNING_KEY_ENCRYPTION_KEY or INTERNAL_API_SECRET not set: using development defaults']
      : [],
});
