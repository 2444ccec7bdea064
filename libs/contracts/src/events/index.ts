export * from './fields';
export * from './catalog';
export * from './schemas';
export * from './time';
export * from './public-id';
export * from './validate';
export * from './translate';
export * from './ulid';
