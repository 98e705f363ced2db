export * from './segments';
export * from './quiet-hours';
export * from './number-location';
export * from './e164';
