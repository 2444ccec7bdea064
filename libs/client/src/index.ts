/** @herald/client: the typed client of Herald's public API, its ingest client and an ingest fake. */
export * from './generated/api';
export type { InternalEventData, InternalOnlyKind, PublishedKind } from './generated/catalogue';
export { HeraldClient } from './client';
export type { HeraldClientOptions } from './client';
export { HeraldApiError } from './errors';
export type { ErrorDetail } from './errors';
export { ListWalker } from './paging';
export type { PageFetcher } from './paging';
export type { RequestOptions, RetryOptions, TransportOptions } from './transport';
export { HeraldIngestClient } from './ingest';
export type { AppendedEvent, AppendResult, HeraldIngest, HeraldIngestClientOptions } from './ingest';
export { publicEventId } from './public-id';
export { FakeHeraldIngest, HeraldFakeAssertionError } from './fake/ingest-fake';
export type { FakeHeraldIngestOptions } from './fake/ingest-fake';
export { checkInternalEvent } from './fake/validate-event';
export type { AppendableEvent, EventCheck, InternalEvent } from './fake/validate-event';
