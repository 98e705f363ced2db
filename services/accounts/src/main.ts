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
    config.usesDevelopmentSecrets.map((name) => `${name} not set: using a development stand-in`),
});
