// Tracing first. Nothing this entry point loads may load a module tracing instruments (http
// servers, express, graphql, pg, kafkajs): the SDK itself is only loaded by startTracing().
export * from './tracing';
export * from './redaction';
export * from './request-context';
export * from './logger';
export * from './nest-pino-logger';
export * from './request-logging.middleware';
export * from './graphql-logging';
export * from './metrics';
export { MetricsModule } from './metrics.module';
export * from './health';
export {
  HealthModule,
  type HealthChecksOptions,
  type HealthModuleAsyncOptions,
  type HealthModuleOptions,
} from './health.module';
