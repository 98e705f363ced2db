export * from './quota-decision';
export * from './quota-tables';
export * from './quota-state.store';
export * from './quota-state.consumer';
export * from './quota.policy';
export * from './quota.module';
