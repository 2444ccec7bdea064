export * from './data-source';
export * from './entities';
export * from './database.module';
export * from './prepared';
export * from './pg-listener';
export * from './tenant-login';
