/**
 * The little language the event catalog is written in: each internal field has a type
 * and may be marked internal (†), meaning it must never leave Herald.
 */
export type FieldType =
  | { t: 'id' } // positive safe integer: 1 … 2^53−1
  | { t: 'string' }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'datetime-or-null' } // RFC 3339 or null
  | { t: 'number-or-null' }
  | { t: 'integer' }; // safe integer: −(2^53−1) … 2^53−1

export interface FieldSpec {
  type: FieldType;
  /** † in DESIGN.md §5: accepted on input, never in a public event or read model. */
  internal?: true;
}

export const id: FieldSpec = { type: { t: 'id' } };
export const str: FieldSpec = { type: { t: 'string' } };
export const secret: FieldSpec = { type: { t: 'string' }, internal: true };
export const datetimeOrNull: FieldSpec = { type: { t: 'datetime-or-null' } };
export const numberOrNull: FieldSpec = { type: { t: 'number-or-null' } };
export const integer: FieldSpec = { type: { t: 'integer' } };
export const oneOf = (...values: string[]): FieldSpec => ({ type: { t: 'enum', values } });

export const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';

/**
 * Ids are JSON numbers that every reader (JavaScript included) reads exactly, and that fit
 * the bigint columns of the read models: a larger one would be rounded by JSON.parse
 * before anything sees it, so the bound is what keeps an id the id that was sent.
 */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** JSON Schema of one field. */
export function fieldSchema(type: FieldType): Record<string, unknown> {
  switch (type.t) {
    case 'id':
      return { type: 'integer', minimum: 1, maximum: MAX_ID };
    case 'integer':
      return { type: 'integer', minimum: -MAX_ID, maximum: MAX_ID };
    case 'string':
      return { type: 'string' };
    case 'enum':
      return { type: 'string', enum: [...type.values] };
    case 'datetime-or-null':
      return { type: ['string', 'null'], pattern: RFC3339 };
    case 'number-or-null':
      return { type: ['number', 'null'] };
  }
}

/** A scalar field as text (ids, slugs); anything else as the empty string. */
export function scalarText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : '';
}
