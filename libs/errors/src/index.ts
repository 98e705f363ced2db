export * from './domain-exception';
export * from './common-errors';
export * from './graphql-error';
export * from './http-exception.filter';
export * from './retry-policy';
