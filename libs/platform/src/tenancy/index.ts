export * from './tenant-scope';
export * from './tenants.repository';
