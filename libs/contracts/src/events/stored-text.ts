/**
 * What a string must be for Postgres to store it as sent: no NUL (text and jsonb refuse it)
 * and no lone UTF-16 surrogate (not Unicode; UTF-8 cannot encode it). Shared by the event
 * validator and the HTTP layer, so both refuse the same strings with the same words.
 */

/** Deepest nesting of arrays and objects an event or a JSON body may have (DESIGN.md §6). */
export const MAX_JSON_DEPTH = 64;

// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSAFE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` cannot be stored as text, or undefined when it can. */
export function unsafeTextReason(s: string): string | undefined {
  const m = UNSAFE_TEXT.exec(s);
  if (!m) return undefined;
  return m[0] === '\u0000' ? 'must not contain NUL (\\u0000)' : 'must not contain a lone UTF-16 surrogate';
}

export interface TextProblem {
  field: string;
  reason: string;
}

/**
 * The first problem in `value`, in document order: a string (value or object key) that
 * cannot be stored, or nesting deeper than MAX_JSON_DEPTH. Paths read `filters.data.status`,
 * `events[2]`. Walks iteratively, so no nesting can overflow the stack.
 */
export function findUnsafeText(value: unknown, root = ''): TextProblem | undefined {
  const stack: Array<[unknown, string, number]> = [[value, root, 0]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!;
    const name = path === '' ? 'value' : path;
    if (typeof v === 'string') {
      const reason = unsafeTextReason(v);
      if (reason) return { field: name, reason: `${name} ${reason}` };
    } else if (typeof v === 'object' && v !== null) {
      if (depth >= MAX_JSON_DEPTH) {
        return { field: name, reason: `${name} nests deeper than ${MAX_JSON_DEPTH} levels` };
      }
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, depth + 1]);
        continue;
      }
      const entries = Object.entries(v as Record<string, unknown>);
      for (const [k] of entries) {
        const reason = unsafeTextReason(k);
        if (reason) return { field: path === '' ? k : `${path}.${k}`, reason: `a key of ${name} ${reason}` };
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i]!;
        stack.push([child, path === '' ? k : `${path}.${k}`, depth + 1]);
      }
    }
  }
  return undefined;
}
