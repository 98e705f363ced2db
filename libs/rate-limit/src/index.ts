export * from './window';
export * from './keys';
export * from './rate-limit-table.migration';
export * from './rate-limit.repository';
export * from './rate-limiter';
export * from './token-bucket';
