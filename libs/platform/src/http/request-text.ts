/**
 * Text a request may not carry (see stored-text.ts in contracts: NUL, lone surrogates) and
 * how deep its JSON may nest. Query strings, path parameters and DTO bodies are checked, so
 * such a value is a 400 naming its field instead of a database error.
 */
import { findUnsafeText } from '@herald/contracts';
import { BAD_REQUEST } from './error-codes';
import type { DomainError } from './errors';

/** 400 `bad_request` naming the field, or undefined when every string in `value` is storable. */
export function unsafeTextError(value: unknown): DomainError | undefined {
  const problem = findUnsafeText(value);
  return problem ? BAD_REQUEST.error(problem.reason, [problem]) : undefined;
}

/**
 * Whether the JSON text nests arrays and objects deeper than `max`, found without parsing:
 * brackets outside strings are counted in one linear pass.
 */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
