/**
 * @herald/receiver: verify and process Herald webhook deliveries. Framework adapters live in
 * `@herald/receiver/express`, `@herald/receiver/fastify` and `@herald/receiver/nest`.
 */
export * from './errors';
export * from './event';
export type { WebhookHeaders, HeaderValue } from './headers';
export { verify, verifyDelivery, detectScheme, DEFAULT_TOLERANCE_SECONDS } from './verify';
export type { VerifyOptions, WebhookSecrets, RawBody } from './verify';
export { receiveWebhook, DEFAULT_CLAIM_TTL_MS } from './receive';
export type { ReceiverOptions, ReceiverAnswer } from './receive';
export * from './dedupe/dedupe-store';
export { MemoryDedupeStore } from './dedupe/memory-store';
export { PostgresDedupeStore, postgresDedupeTableSql, DEFAULT_PG_TABLE } from './dedupe/postgres-store';
export type { PgQueryable } from './dedupe/postgres-store';
export { RedisDedupeStore } from './dedupe/redis-store';
export type { RedisCommands } from './dedupe/redis-store';
