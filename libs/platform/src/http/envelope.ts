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
