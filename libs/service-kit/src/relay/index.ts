export * from './relay-cursor';
export * from './pagination';
export * from './page-info.model';
