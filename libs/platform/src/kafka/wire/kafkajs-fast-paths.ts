/**
 * Puts the codecs of this folder into kafkajs (pinned at 2.2.4): Produce requests are
 * encoded by `encodeProduceRequest`, and Fetch responses (version 11) decoded by
 * `decodeFetchV11`, instead of by kafkajs's per-record encoders and decoders. Everything
 * else (version negotiation, retries, sequence numbers, what a consumer does with what
 * it fetched) stays kafkajs's own, and so do compressed produces.
 *
 * kafkajs looks its request builders up on every call (`requests.Produce.protocol`,
 * `requests.Fetch.protocol`), so replacing those two functions on the modules kafkajs
 * itself loaded is enough, whenever it happens.
 *
 * It also stops an idle timer loop of kafkajs's request queue (see `scheduleOnlyWhenPending`).
 *
 * Only for the kafkajs version they were written for, and not at all with
 * `HERALD_FAST_PATHS=0` (see fast-paths/fast-paths.ts).
 */
import { fastPaths } from '../../fast-paths/fast-paths';
import { decodeFetchV11 } from './fetch-response';
import { encodeProduceRequest, ProduceRequestArgs } from './produce-request';

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse?: () => boolean;
  encode: () => Promise<unknown>;
}

interface KafkajsResponse {
  decode: (raw: Buffer) => Promise<unknown>;
  parse: (decoded: unknown) => Promise<unknown>;
}

type BuildRequest<A> = (args: A) => { request: KafkajsRequest; response: KafkajsResponse };

interface RequestDefinition<A> {
  versions: string[];
  protocol: (opts: { version: number }) => BuildRequest<A>;
}

const FIRST_RECORD_BATCH_PRODUCE = 3;
const FAST_FETCH_VERSION = 11;
const PATCHED = Symbol.for('herald.kafkajs.fastPaths');

/* eslint-disable @typescript-eslint/no-require-imports -- the modules kafkajs's broker uses, not copies */
type Patchable<A> = RequestDefinition<A> & { [PATCHED]?: true };
const load = {
  produce: () =>
    require('kafkajs/src/protocol/requests/produce') as Patchable<
      ProduceRequestArgs & { compression?: number }
    >,
  fetch: () => require('kafkajs/src/protocol/requests/fetch') as Patchable<unknown>,
  decoder: () => require('kafkajs/src/protocol/decoder') as new (buf: Buffer) => unknown,
  requestQueue: () => require('kafkajs/src/network/requestQueue') as RequestQueueClass,
  decodeMessages: () =>
    require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages') as (
      decoder: unknown,
    ) => Promise<unknown[]>,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Installs the fast paths once per kafkajs instance; later calls do nothing, and so does
 * every call when they are off.
 */
export function installKafkajsFastPaths(): void {
  if (!fastPaths().kafkajs) return;
  scheduleOnlyWhenPending(load.requestQueue());
  patch(load.produce(), (version, build) => {
    if (version < FIRST_RECORD_BATCH_PRODUCE) return build;
    return (args) => {
      const built = build(args);
      if ((args.compression ?? 0) !== 0) return built;
      return {
        ...built,
        request: { ...built.request, encode: async () => asEncoder(encodeProduceRequest(args)) },
      };
    };
  });

  const Decoder = load.decoder();
  const decodeMessages = load.decodeMessages();
  const legacy = (fromSize: Buffer): Promise<unknown[]> => decodeMessages(new Decoder(fromSize));
  patch(load.fetch(), (version, build) => {
    if (version !== FAST_FETCH_VERSION) return build;
    return (args) => {
      const built = build(args);
      return { ...built, response: { ...built.response, decode: (raw) => decodeFetchV11(raw, legacy) } };
    };
  });
}

interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

type RequestQueueClass = { prototype: RequestQueueState } & { [PATCHED]?: true };

/**
 * kafkajs 2.2.4 checks its pending requests after every response, and each check schedules
 * the next one: with nothing pending and no throttle that is `setTimeout(check, negative)`,
 * so every broker connection keeps a 1 ms timer running for as long as it lives. An idle
 * role woke about 700 times a second for nothing; on a busy machine those wakeups take CPU
 * from the work. Nothing pending, nothing to schedule: a request that cannot go at once is
 * queued by `push`, which schedules the check itself, and every response checks again.
 */
function scheduleOnlyWhenPending(queue: RequestQueueClass): void {
  if (queue[PATCHED]) return;
  const original = queue.prototype.scheduleCheckPendingRequests;
  queue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueState) {
    if (this.pending.length === 0) return;
    original.call(this);
  };
  queue[PATCHED] = true;
}

/** Wraps a request definition's builder for every version, unless already done. */
function patch<A>(
  definition: Patchable<A>,
  wrap: (version: number, build: BuildRequest<A>) => BuildRequest<A>,
): void {
  if (definition[PATCHED]) return;
  const original = definition.protocol;
  definition.protocol = ({ version }) => wrap(version, original({ version }));
  definition[PATCHED] = true;
}

/** What kafkajs's request framing reads from an encoder: `buf` (checked) and `buffer`. */
function asEncoder(buf: Buffer): { buf: Buffer; buffer: Buffer; size: () => number } {
  return { buf, buffer: buf, size: () => buf.length };
}
