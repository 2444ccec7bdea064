import { parseRfc3339 } from './time';

/** The straightforward reading of the same grammar (a regular expression and Date), as an oracle. */
function oracle(text: string): { epochSeconds: number; micros: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/.exec(
    text,
  );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(base);
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  let offset = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const [oh, om] = zone.slice(1).split(':').map(Number);
    if (oh! > 23 || om! > 59) return undefined;
    offset = (zone.startsWith('-') ? -1 : 1) * (oh! * 3600 + om! * 60);
  }
  return { epochSeconds: base / 1000 - offset, micros: Number(frac.padEnd(6, '0').slice(0, 6)) };
}

/** A deterministic pseudo-random sequence, so a failure names an input that reproduces. */
function* inputs(count: number): Generator<string> {
  let seed = 20260528;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n);
  };
  const pad = (v: number, n: number): string => String(v).padStart(n, '0');
  const pick = <T>(xs: T[]): T => xs[next(xs.length)]!;
  // Mostly the first (a valid value), otherwise any of them (edges and invalid ones).
  const mostly = <T>(xs: T[]): T => (next(4) === 0 ? pick(xs) : xs[0]!);
  for (let i = 0; i < count; i++) {
    const year = mostly([next(10000), 1970 + next(100), 2000, 2100, 2024, 1900, 99, 100, 400 * next(25)]);
    const month = mostly([1 + next(12), 0, 13, 2]);
    const day = mostly([1 + next(28), 29, 30, 31, 0, 32]);
    const hour = mostly([next(24), 23, 24, 0]);
    const minute = mostly([next(60), 59, 60]);
    const second = mostly([next(60), 59, 60]);
    const frac = mostly([`.${pad(next(1000000), 6)}`, '', '.', `.${'1234567890'.slice(0, 1 + next(10))}`]);
    const zone = mostly([
      'Z',
      'z',
      '',
      `+${pad(next(25), 2)}:${pad(next(61), 2)}`,
      `-${pad(next(24), 2)}:30`,
      '+0200',
      'Zx',
    ]);
    let text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${frac}${zone}`;
    // Now and then one character swapped for another.
    if (next(8) === 0) {
      const at = next(text.length);
      text = text.slice(0, at) + pick(['x', ' ', '-', ':', '9', 't', '.']) + text.slice(at + 1);
    }
    yield text;
  }
}

describe('parseRfc3339', () => {
  it('reads what the regular expression and Date read, and refuses what they refuse', () => {
    let valid = 0;
    for (const text of inputs(50_000)) {
      const expected = oracle(text);
      if (expected) valid++;
      expect([text, parseRfc3339(text)]).toEqual([text, expected]);
    }
    // The inputs exercise both sides.
    expect(valid).toBeGreaterThan(5_000);
    expect(valid).toBeLessThan(45_000);
  });

  it.each([
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29) / 1000],
    ['2000-02-29T23:59:59Z', Date.UTC(2000, 1, 29, 23, 59, 59) / 1000],
    ['1969-12-31T23:59:59.999999Z', -1],
    ['0100-01-01T00:00:00+00:00', Date.UTC(100, 0, 1) / 1000],
  ])('places %s on the timeline', (text, epochSeconds) => {
    expect(parseRfc3339(text)?.epochSeconds).toBe(epochSeconds);
  });

  it.each(['1900-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '0099-01-01T00:00:00Z'])(
    'refuses the impossible date %s',
    (text) => expect(parseRfc3339(text)).toBeUndefined(),
  );
});
