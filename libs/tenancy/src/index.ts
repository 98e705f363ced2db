export * from './tenant-context';
export * from './tenant-transaction';
export * from './tenant-migrations';
export * from './isolation-check';
export * from './migrations-runner';
export * from './sql';
export * from './tenant.repository';
