/**
 * The rules of a tenant's settings (docs/webhooks.md, "Tenant settings"), as pure
 * functions so the bounds are checked in one place: retry schedules are durations with
 * units (`0`, `30s`, `1m`, `2h`, `1d`, as HERALD_RETRY_SCHEDULE), 1–20 steps, each at most
 * 7 days, never shorter than the one before.
 */
import { parseDuration } from '@herald/platform';

export const MAX_RETRY_STEPS = 20;
export const MAX_RETRY_STEP_MS = 7 * 24 * 3_600_000;
export const ATTEMPT_TIMEOUT_MS = { min: 100, max: 60_000 } as const;
export const AUTO_DISABLE_THRESHOLD = { min: 1, max: 1000 } as const;
export const RATE_LIMIT_PER_MINUTE = { min: 1, max: 1_000_000 } as const;
export const DAILY_QUOTA = { min: 1, max: 1_000_000_000 } as const;

export interface FieldProblem {
  field: string;
  reason: string;
}

/** What a PATCH may carry, once its JSON types were checked. */
export interface SettingsPatch {
  retry_schedule?: string | string[] | null;
  attempt_timeout_ms?: number;
  auto_disable_threshold?: number;
  default_rate_limit_per_minute?: number;
  default_daily_quota?: number | null;
}

/** The stored form of a patch: only the columns it changes. */
export interface SettingsChange {
  retry_schedule_ms?: number[] | null;
  attempt_timeout_ms?: number;
  auto_disable_threshold?: number;
  rate_limit_per_minute?: number;
  daily_quota?: number | null;
}

/** `["0", "1m"]` or `"0,1m"` → milliseconds per step, or the problems found. */
export function parseRetrySchedule(
  raw: string | readonly string[],
): { ms: number[] } | { problems: string[] } {
  const steps = typeof raw === 'string' ? raw.split(',') : [...raw];
  const problems: string[] = [];
  if (steps.length < 1 || steps.length > MAX_RETRY_STEPS) {
    problems.push(`retry_schedule must have 1 to ${MAX_RETRY_STEPS} steps (got ${steps.length})`);
  }
  const ms: number[] = [];
  steps.forEach((step, i) => {
    const v = parseDuration(step);
    if (v === undefined) {
      problems.push(`retry_schedule[${i}] must be a duration like 0, 30s, 5m, 2h or 1d`);
    } else if (v > MAX_RETRY_STEP_MS) {
      problems.push(`retry_schedule[${i}] must be at most 7d`);
    } else {
      const prev = ms[ms.length - 1];
      if (prev !== undefined && v < prev) {
        problems.push(`retry_schedule[${i}] must not be shorter than the step before it`);
      }
      ms.push(v);
    }
  });
  return problems.length > 0 ? { problems } : { ms };
}

/** Milliseconds in the largest unit that states them exactly: `0`, `250ms`, `30s`, `5m`, `2h`, `1d`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function inRange(
  problems: FieldProblem[],
  field: string,
  value: number,
  range: { min: number; max: number },
  unit = '',
): void {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    problems.push({ field, reason: `${field} must be an integer from ${range.min} to ${range.max}${unit}` });
  }
}

/** The columns a patch changes, or every problem it has (then nothing is saved). */
export function checkSettingsPatch(
  patch: SettingsPatch,
): { change: SettingsChange } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const change: SettingsChange = {};
  if (patch.retry_schedule !== undefined) {
    if (patch.retry_schedule === null) {
      change.retry_schedule_ms = null;
    } else {
      const parsed = parseRetrySchedule(patch.retry_schedule);
      if ('problems' in parsed) {
        for (const reason of parsed.problems) problems.push({ field: 'retry_schedule', reason });
      } else {
        change.retry_schedule_ms = parsed.ms;
      }
    }
  }
  if (patch.attempt_timeout_ms !== undefined) {
    inRange(problems, 'attempt_timeout_ms', patch.attempt_timeout_ms, ATTEMPT_TIMEOUT_MS, ' (milliseconds)');
    change.attempt_timeout_ms = patch.attempt_timeout_ms;
  }
  if (patch.auto_disable_threshold !== undefined) {
    inRange(problems, 'auto_disable_threshold', patch.auto_disable_threshold, AUTO_DISABLE_THRESHOLD);
    change.auto_disable_threshold = patch.auto_disable_threshold;
  }
  if (patch.default_rate_limit_per_minute !== undefined) {
    inRange(
      problems,
      'default_rate_limit_per_minute',
      patch.default_rate_limit_per_minute,
      RATE_LIMIT_PER_MINUTE,
    );
    change.rate_limit_per_minute = patch.default_rate_limit_per_minute;
  }
  if (patch.default_daily_quota !== undefined) {
    if (patch.default_daily_quota !== null) {
      inRange(problems, 'default_daily_quota', patch.default_daily_quota, DAILY_QUOTA);
    }
    change.daily_quota = patch.default_daily_quota;
  }
  return problems.length > 0 ? { problems } : { change };
}
