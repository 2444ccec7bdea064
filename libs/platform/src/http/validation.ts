/**
 * The one validation pipe (STYLE.md 8). Its failures leave as 400 `bad_request` whose
 * `details` name each offending field with its reason, nested fields by path
 * (`author.id`, `items[2].name`). A body bound to a DTO class is first checked for text
 * Postgres cannot store (NUL, lone surrogates: see request-text.ts), named the same way.
 */
import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { BAD_REQUEST } from './error-codes';
import type { DomainError } from './errors';
import { unsafeTextError } from './request-text';

export interface FieldProblem {
  field: string;
  reason: string;
}

/**
 * Bodies declared `unknown` (the internal event ingest) are left to their own validator,
 * which reports text problems in that route's terms.
 */
class HeraldValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      // No body is no body; a body of JSON `null` is a body that is not an object.
      if (value === null) {
        const reason = 'the body must be a JSON object';
        throw BAD_REQUEST.error(reason, [{ field: 'body', reason }]);
      }
      const problem = unsafeTextError(value);
      if (problem) throw problem;
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new HeraldValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Validation messages quote the offending values; the fields and rules are enough.
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(errors),
  });
}

export function validationFailed(errors: readonly ValidationError[]): DomainError {
  const details = fieldProblems(errors);
  const message = details.length === 0 ? 'the request is invalid' : details.map((d) => d.reason).join('; ');
  return BAD_REQUEST.error(message, details);
}

/** Flattens class-validator's tree into one entry per failed rule, in declaration order. */
export function fieldProblems(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = joinPath(parent, e.property);
    for (const reason of Object.values(e.constraints ?? {})) out.push({ field, reason });
    if (e.children?.length) out.push(...fieldProblems(e.children, field));
  }
  return out;
}

function joinPath(parent: string, property: string): string {
  if (parent === '') return property;
  return /^\d+$/.test(property) ? `${parent}[${property}]` : `${parent}.${property}`;
}
