/**
 * The time window of `herald replay deliveries`: `--from-time` (inclusive) and an optional
 * `--to-time` (exclusive), RFC 3339, checked before anything is connected. Times are
 * carried in the public format (UTC, six fractional digits) so they compare, as text, with
 * the `created_at` of public events at their full precision.
 */
import { formatMicros, instantToMillis, parseRfc3339 } from '@herald/contracts';
import { BAD_REQUEST } from '@herald/platform';

export interface ReplayWindow {
  /** Inclusive, `2026-05-28T12:00:00.000000Z`. */
  from: string;
  fromMs: number;
  /** Exclusive; undefined: up to the end of the log as it is when the replay starts. */
  to: string | undefined;
  toMs: number | undefined;
}

const EXAMPLE = '2026-05-28T12:00:00Z';

function parseTime(flag: string, text: string): { text: string; ms: number } {
  const instant = parseRfc3339(text);
  if (!instant) throw BAD_REQUEST.error(`${flag} must be an RFC 3339 time like ${EXAMPLE} (got "${text}")`);
  return { text: formatMicros(instant), ms: instantToMillis(instant) };
}

export function parseReplayWindow(
  input: { fromTime: string; toTime?: string },
  now: number = Date.now(),
): ReplayWindow {
  const from = parseTime('--from-time', input.fromTime);
  const to = input.toTime === undefined ? undefined : parseTime('--to-time', input.toTime);
  if (to && to.text <= from.text) {
    throw BAD_REQUEST.error(`--to-time (${to.text}) must be after --from-time (${from.text})`);
  }
  if (from.ms > now) throw BAD_REQUEST.error(`--from-time (${from.text}) is in the future`);
  return { from: from.text, fromMs: from.ms, to: to?.text, toMs: to?.ms };
}
