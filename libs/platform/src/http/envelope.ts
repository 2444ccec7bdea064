/** The response envelope (DESIGN.md §6). */
export interface Meta {
  request_id: string;
  [extra: string]: unknown;
}

export interface SuccessEnvelope<T> {
  data: T;
  meta: Meta;
}

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown };
  meta: Meta;
}

/** Returned by a controller that needs to add fields to `meta` (lists: next_cursor, has_more). */
export class Enveloped<T> {
  constructor(
    readonly data: T,
    readonly meta: Record<string, unknown> = {},
  ) {}
}

/** JSON text sent as it is: a value already serialized (a page Postgres built, say). */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * A success envelope as text, `data` given as JSON text: byte for byte what JSON.stringify
 * makes of `{ data, meta: { request_id, ...meta } }`.
 */
export function envelopeText(data: RawJson, requestId: string, meta: Record<string, unknown> = {}): string {
  return `{"data":${data.text},"meta":${JSON.stringify({ request_id: requestId, ...meta })}}`;
}

/**
 * What a successful handler result goes out as: `{ data, meta: { request_id, …meta } }`,
 * or, for data serialized already (RawJson), that envelope as text.
 */
export function successEnvelope(result: unknown, requestId: string): SuccessEnvelope<unknown> | string {
  const enveloped = result instanceof Enveloped ? (result as Enveloped<unknown>) : undefined;
  const data = enveloped ? enveloped.data : result;
  const meta = enveloped?.meta ?? {};
  if (data instanceof RawJson) return envelopeText(data, requestId, meta);
  return { data, meta: { request_id: requestId, ...meta } };
}
