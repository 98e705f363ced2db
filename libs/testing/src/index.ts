export * from './stack-env';
export * from './broker-control';
export * from './test-database';
export * from './private-broker';
export * from './wait-for-event';
export * from './graphql-client';
export * from './test-tokens';
export * from './platform';
