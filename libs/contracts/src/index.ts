export * from './topics';
export * from './events';
export * from './scopes';
