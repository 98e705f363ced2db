export * from './segments';
