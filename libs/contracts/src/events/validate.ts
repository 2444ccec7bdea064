/**
 * Validation of internal events against the catalog's JSON Schemas (Ajv, compiled once).
 * Used at ingest (400 with the reason) and on consume (dead letter with the reason).
 */
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { isInternalOnly, KIND_SPECS, KindSpec, kindSpec } from './catalog';
import { internalDataSchema, internalEnvelopeSchema, publicEventSchemas } from './schemas';
import { scalarText } from './fields';
import { findUnsafeText } from './stored-text';
import { parseRfc3339 } from './time';

export interface InternalEvent {
  id: string;
  tenant: string;
  kind: string;
  occurred_at: string;
  data: Record<string, unknown>;
}

export interface PublicEvent {
  id: string;
  type: string;
  created_at: string;
  data: Record<string, unknown>;
}

export type InternalValidation =
  | { ok: true; event: InternalEvent; spec: KindSpec; internalOnly: false }
  | { ok: true; event: InternalEvent; spec: undefined; internalOnly: true }
  | { ok: false; reason: string };

const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true, validateFormats: false });
const validateEnvelope = ajv.compile<InternalEvent>(internalEnvelopeSchema());
const validateData = new Map<string, ValidateFunction>(
  KIND_SPECS.map((s) => [s.kind, ajv.compile(internalDataSchema(s))]),
);
const validatePublic = new Map<string, ValidateFunction>(
  Object.entries(publicEventSchemas()).map(([type, schema]) => [type, ajv.compile(schema)]),
);

function describe(errors: ErrorObject[] | null | undefined, root: string): string {
  const e = errors?.[0];
  if (!e) return 'invalid';
  const at = `${root}${e.instancePath.replace(/\//g, '.')}`;
  switch (e.keyword) {
    case 'required':
      return `${at}.${String((e.params as { missingProperty: string }).missingProperty)} is required`;
    case 'additionalProperties':
      return `${at}.${String((e.params as { additionalProperty: string }).additionalProperty)} is not allowed`;
    case 'enum':
      return `${at} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
    case 'pattern':
      return `${at} has an invalid format`;
    default:
      return `${at} ${e.message ?? 'is invalid'}`;
  }
}

export function validateInternalEvent(raw: unknown): InternalValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, reason: 'event must be a JSON object' };
  // Before the schema: Ajv recurses, and what Postgres cannot store must never be accepted.
  const text = findUnsafeText(raw);
  if (text) return { ok: false, reason: text.reason };
  if (!validateEnvelope(raw)) return { ok: false, reason: describe(validateEnvelope.errors, 'event') };
  const event = raw;
  if (!parseRfc3339(event.occurred_at))
    return { ok: false, reason: 'event.occurred_at is not a valid RFC 3339 time' };
  if (isInternalOnly(event.kind)) return { ok: true, event, spec: undefined, internalOnly: true };
  const spec = kindSpec(event.kind);
  const check = validateData.get(event.kind);
  if (!spec || !check) return { ok: false, reason: `unknown kind ${JSON.stringify(event.kind)}` };
  if (!check(event.data)) return { ok: false, reason: describe(check.errors, 'data') };
  for (const [name, field] of Object.entries(spec.fields)) {
    if (
      field.type.t === 'datetime-or-null' &&
      event.data[name] !== null &&
      !parseRfc3339(scalarText(event.data[name]))
    ) {
      return { ok: false, reason: `data.${name} is not a valid RFC 3339 time` };
    }
  }
  return { ok: true, event, spec, internalOnly: false };
}

/** Checks a public event against its type's schema; used by tests and as a translator self-check. */
export function checkPublicEvent(evt: PublicEvent): string | undefined {
  const check = validatePublic.get(evt.type);
  if (!check) return `unknown public type ${JSON.stringify(evt.type)}`;
  return check(evt) ? undefined : describe(check.errors, 'event');
}
