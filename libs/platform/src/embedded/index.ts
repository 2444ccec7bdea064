export * from './embedded-postgres';
export * from './net';
export * from './os-user';
export * from '../kafka/embedded-kafka';
export * from './infrastructure';
export * from './openssl';
