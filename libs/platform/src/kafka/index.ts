export * from './kafka.client';
export * from './producer';
export * from './consumer';
export * from './topic-admin';
export * from './kafka.service';
export * from './kafka.module';
export * from './public-record';
export * from './topic-range-reader';
