export * from './retention-periods';
export * from './retention-tables';
export * from './retention-policy.store';
export * from './retention-policy.consumer';
export * from './event-tables.repository';
export * from './retention-runner';
export * from './retention-config';
export * from './retention.job';
