export * from './boot';
export * from './dev-state';
export * from './dev-secrets';
