/**
 * RFC 3339 timestamps with microsecond precision. JavaScript dates stop at
 * milliseconds, so the fraction is carried as digits, not through Date.
 */
const RFC3339_PARTS =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

export interface Instant {
  /** Whole seconds since the epoch, UTC. */
  epochSeconds: number;
  /** Microseconds within the second (0–999999). */
  micros: number;
}

export function parseRfc3339(text: string): Instant | undefined {
  const m = RFC3339_PARTS.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(base);
  if (
    Number.isNaN(base) ||
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  let offsetSeconds = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [oh, om] = zone.slice(1).split(':').map(Number);
    if (oh === undefined || om === undefined || oh > 23 || om > 59) return undefined;
    offsetSeconds = sign * (oh * 3600 + om * 60);
  }
  return { epochSeconds: base / 1000 - offsetSeconds, micros: Number(frac.padEnd(6, '0').slice(0, 6)) };
}

/** `2026-05-28T12:34:56.123456Z`: UTC, exactly six fractional digits. */
export function formatMicros(instant: Instant): string {
  const iso = new Date(instant.epochSeconds * 1000).toISOString(); // …T12:34:56.000Z
  return `${iso.slice(0, 19)}.${String(instant.micros).padStart(6, '0')}Z`;
}

/** Normalises any RFC 3339 timestamp to the public format, or undefined when invalid. */
export function toPublicTimestamp(text: string): string | undefined {
  const i = parseRfc3339(text);
  if (!i) return undefined;
  // Already in the public form (what services usually send): valid means unchanged.
  return text.length === 27 && text[19] === '.' && text[26] === 'Z' ? text : formatMicros(i);
}

export function instantToMillis(i: Instant): number {
  return i.epochSeconds * 1000 + Math.floor(i.micros / 1000);
}
