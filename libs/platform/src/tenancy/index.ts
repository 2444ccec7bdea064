export * from './tenant-scope';
export * from './tenants.repository';
export * from './tenant-directory';
export * from './tenant-read';
export * from './tenant-pool';
