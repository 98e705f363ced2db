import { tracing } from './tracing';
import { bootstrapService } from '@switchboard/service-kit';
import { AppModule, devicesHttp } from './app.module';
import { devicesConfigShape, loadDevicesConfig } from './config';

void bootstrapService({
  service: 'devices',
  tracing,
  configShape: devicesConfigShape,
  loadConfig: loadDevicesConfig,
  module: (config) => AppModule.forRoot(config),
  http: devicesHttp,
  warnings: (config) =>
    config.usesDevelopmentSecretKey
      ? ['DEVICES_SECRET_KEY is not set: signing keys are sealed with the development key']
      : [],
  listening: (config) => ({ deviceApiUrl: config.deviceApiUrl }),
});
