export * from './topic-catalog';
