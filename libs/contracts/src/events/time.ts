/**
 * RFC 3339 timestamps with microsecond precision. JavaScript dates stop at
 * milliseconds, so the fraction is carried as digits, not through Date.
 */
export interface Instant {
  /** Whole seconds since the epoch, UTC. */
  epochSeconds: number;
  /** Microseconds within the second (0–999999). */
  micros: number;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|z|±HH:MM)`, a real calendar date (years 0100–9999),
 * hours 00–23, minutes and seconds 00–59, 1–9 fractional digits (beyond six truncated).
 * Every event is checked on the append and translate paths, so this reads the characters
 * itself rather than through a regular expression and Date.
 */
export function parseRfc3339(text: string): Instant | undefined {
  if (text.length < 20) return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if (
    y < 100 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > daysInMonth(y, mo) ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    s < 0 ||
    s > 59 ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== 84 /* T */ ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return undefined;
  }
  let i = 19;
  let micros = 0;
  if (text.charCodeAt(i) === 46 /* . */) {
    i++;
    const start = i;
    while (i < text.length && isDigit(text.charCodeAt(i))) {
      if (i - start < 6) micros = micros * 10 + (text.charCodeAt(i) - ZERO);
      i++;
    }
    const n = i - start;
    if (n < 1 || n > 9) return undefined;
    for (let k = n; k < 6; k++) micros *= 10;
  }
  let offsetSeconds = 0;
  const zone = text.charCodeAt(i);
  if (zone === 90 /* Z */ || zone === 122 /* z */) {
    if (i + 1 !== text.length) return undefined;
  } else if (zone === 43 /* + */ || zone === 45 /* - */) {
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (i + 6 !== text.length || text.charCodeAt(i + 3) !== COLON || oh < 0 || oh > 23 || om < 0 || om > 59) {
      return undefined;
    }
    offsetSeconds = (zone === 45 ? -1 : 1) * (oh * 3600 + om * 60);
  } else {
    return undefined;
  }
  const epochSeconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offsetSeconds;
  return { epochSeconds, micros };
}

const ZERO = 48;
const DASH = 45;
const COLON = 58;

const isDigit = (c: number): boolean => c >= ZERO && c <= ZERO + 9;

/** The number `n` decimal digits at `at` spell, or -1 when any is not a digit. */
function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let k = at; k < at + n; k++) {
    const c = text.charCodeAt(k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (years ≥ 1). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
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
