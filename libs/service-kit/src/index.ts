export * from './clock';
export * from './config';
export * from './database.module';
export * from './readiness.module';
export * from './service-runtime.module';
export * from './create-service-app';
export * from './bootstrap-service';
export * from './event-tables.migration';
