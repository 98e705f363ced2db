export * from './simulated-phone';
export * from './sse-client';
export * from './options';
