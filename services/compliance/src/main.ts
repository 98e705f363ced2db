import { tracing } from './tracing';
import { bootstrapService } from '@switchboard/service-kit';
import { AppModule } from './app.module';
import { complianceConfigShape, loadComplianceConfig } from './config';

void bootstrapService({
  service: 'compliance',
  tracing,
  configShape: complianceConfigShape,
  loadConfig: loadComplianceConfig,
  module: (config, logger) => AppModule.forRoot(config, { logger }),
});
