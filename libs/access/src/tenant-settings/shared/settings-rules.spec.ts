import { checkSettingsPatch, formatDuration, parseRetrySchedule } from './settings-rules';

describe('tenant settings rules', () => {
  describe('retry schedule', () => {
    it('reads durations with units, as an array or one comma-separated string', () => {
      expect(parseRetrySchedule(['0', '1s', '5m', '2h', '1d'])).toEqual({
        ms: [0, 1000, 300_000, 7_200_000, 86_400_000],
      });
      expect(parseRetrySchedule('0,250ms,1m')).toEqual({ ms: [0, 250, 60_000] });
    });

    it.each([
      [[], 'retry_schedule must have 1 to 20 steps (got 0)'],
      [Array(21).fill('1s'), 'retry_schedule must have 1 to 20 steps (got 21)'],
      [['0', '5'], 'retry_schedule[1] must be a duration like 0, 30s, 5m, 2h or 1d'],
      [['0', '1w'], 'retry_schedule[1] must be a duration like 0, 30s, 5m, 2h or 1d'],
      [['0', '-1s'], 'retry_schedule[1] must be a duration like 0, 30s, 5m, 2h or 1d'],
      [['0', '8d'], 'retry_schedule[1] must be at most 7d'],
      [['0', '5m', '1m'], 'retry_schedule[2] must not be shorter than the step before it'],
    ])('refuses %j', (raw, reason) => {
      expect(parseRetrySchedule(raw as string[])).toEqual({ problems: [reason] });
    });

    it('accepts the bounds themselves', () => {
      expect('ms' in parseRetrySchedule(Array(20).fill('7d'))).toBe(true);
      expect(parseRetrySchedule(['168h'])).toEqual({ ms: [604_800_000] });
    });

    it('formats each step in the largest exact unit', () => {
      expect([0, 250, 1000, 90_000, 300_000, 7_200_000, 86_400_000, 1500].map(formatDuration)).toEqual([
        '0',
        '250ms',
        '1s',
        '90s',
        '5m',
        '2h',
        '1d',
        '1500ms',
      ]);
    });
  });

  describe('a patch', () => {
    it('maps to the columns it changes', () => {
      expect(
        checkSettingsPatch({
          retry_schedule: '0,1s',
          attempt_timeout_ms: 100,
          auto_disable_threshold: 1000,
          default_rate_limit_per_minute: 60,
          default_daily_quota: null,
        }),
      ).toEqual({
        change: {
          retry_schedule_ms: [0, 1000],
          attempt_timeout_ms: 100,
          auto_disable_threshold: 1000,
          rate_limit_per_minute: 60,
          daily_quota: null,
        },
      });
      expect(checkSettingsPatch({ retry_schedule: null })).toEqual({ change: { retry_schedule_ms: null } });
      expect(checkSettingsPatch({})).toEqual({ change: {} });
    });

    it('reports every problem, field by field', () => {
      expect(
        checkSettingsPatch({
          retry_schedule: ['0', '10d'],
          attempt_timeout_ms: 99,
          auto_disable_threshold: 1001,
          default_rate_limit_per_minute: 0,
          default_daily_quota: 0,
        }),
      ).toEqual({
        problems: [
          { field: 'retry_schedule', reason: 'retry_schedule[1] must be at most 7d' },
          {
            field: 'attempt_timeout_ms',
            reason: 'attempt_timeout_ms must be an integer from 100 to 60000 (milliseconds)',
          },
          {
            field: 'auto_disable_threshold',
            reason: 'auto_disable_threshold must be an integer from 1 to 1000',
          },
          {
            field: 'default_rate_limit_per_minute',
            reason: 'default_rate_limit_per_minute must be an integer from 1 to 1000000',
          },
          {
            field: 'default_daily_quota',
            reason: 'default_daily_quota must be an integer from 1 to 1000000000',
          },
        ],
      });
      expect(checkSettingsPatch({ attempt_timeout_ms: 60_001 })).toHaveProperty('problems');
    });
  });
});
