/**
 * docs/api-authentication.md lists every error code the HTTP API can answer with. The codes
 * are defined in the sources (`new ErrorCode('…'` in libs/platform/src/http/error-codes.ts and
 * each context's *-errors.ts, and the few `new DomainError('…'` raised directly), so a code
 * added there fails this test until it is documented, and a documented code that no longer
 * exists fails it too. The receiver library and the clients have their own codes and docs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DOC = path.join(ROOT, 'docs', 'api-authentication.md');
const EXCLUDED = [path.join('libs', 'receiver'), path.join('libs', 'client')];
const DEFINITIONS = [
  /new\s+ErrorCode\(\s*'([a-z][a-z0-9_]*)'\s*,\s*(\d{3})\s*,/g,
  // (code, message, status, details?): the status is the first bare 3-digit argument after it.
  /new\s+DomainError\(\s*'([a-z][a-z0-9_]*)'\s*,[\s\S]*?,\s*(\d{3})\s*[,)]/g,
];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'generated' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [p] : [];
  });
}

/** code → status, from the sources. */
function definedCodes(): Map<string, number> {
  const codes = new Map<string, number>();
  const files = ['apps', 'libs']
    .flatMap((d) => sources(path.join(ROOT, d)))
    .filter((f) => !EXCLUDED.some((x) => path.relative(ROOT, f).startsWith(x)));
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    // `new DomainError(this.code, …)` inside ErrorCode itself has no literal and is not matched.
    for (const m of DEFINITIONS.flatMap((re) => [...text.matchAll(re)])) codes.set(m[1]!, Number(m[2]));
  }
  return codes;
}

/** code → status, from the doc's tables (rows of the form | `code` | 404 | …). */
function documentedCodes(): Map<string, number> {
  const codes = new Map<string, number>();
  for (const m of fs.readFileSync(DOC, 'utf8').matchAll(/^\|\s*`([a-z][a-z0-9_]*)`\s*\|\s*(\d{3})\s*\|/gm)) {
    codes.set(m[1]!, Number(m[2]));
  }
  return codes;
}

describe('docs/api-authentication.md error codes', () => {
  const defined = definedCodes();
  const documented = documentedCodes();

  it('finds the codes where they are defined', () => {
    expect(defined.get('invalid_api_key')).toBe(401);
    expect(defined.get('invalid_endpoint')).toBe(422);
    expect(defined.size).toBeGreaterThan(25);
  });

  it('documents every code the sources define, with its status', () => {
    const missing = [...defined]
      .filter(([code, status]) => documented.get(code) !== status)
      .map(([code, status]) => `${code} (${status})`);
    expect(missing).toEqual([]);
  });

  it('documents no code the sources do not define', () => {
    expect([...documented.keys()].filter((code) => !defined.has(code))).toEqual([]);
  });
});
