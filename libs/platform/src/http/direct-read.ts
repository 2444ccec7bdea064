/**
 * A public read answered before Nest routes the request. The gateway's access hook
 * (libs/access/src/read-cache) runs the same access checks as the guard, from cached key
 * state, then asks the route's `DirectRead` for the 200 body — skipping validation pipe,
 * guard, interceptors and serialization, which cost more than the read itself on a
 * page that is not in the read cache. Anything the direct read does not accept (an
 * invalid query, a credential not cached yet, a refusal) goes the normal way, which
 * answers errors exactly as before.
 */
import type { Type } from '@nestjs/common';

export interface DirectRead<Accepted = unknown> {
  /**
   * The request's query as the route's DTO would accept it, ready to read; undefined
   * to leave the request to the route (so every error keeps its one source). No I/O.
   */
  accept(tenant: string, query: unknown): Accepted | undefined;
  /** The 200 body, byte for byte what the route would send, `requestId` in its meta. */
  answer(accepted: Accepted, requestId: string): Promise<string>;
}

export const DIRECT_READ = 'herald:direct-read';

export type DirectReadType = Type<DirectRead>;
