export * from './errors';
export * from './envelope';
export * from './request-id';
export * from './http-exception.filter';
export * from './envelope.interceptor';
export * from './create-http-app';
export * from './service-token.guard';
export * from './public-api';
