export * from './stack-env';
export * from './broker-control';
export * from './test-database';
export * from './private-broker';
