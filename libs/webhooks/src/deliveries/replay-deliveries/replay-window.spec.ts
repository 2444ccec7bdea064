import { DomainError } from '@herald/platform';
import { parseReplayWindow } from './replay-window';

const NOW = Date.UTC(2026, 4, 28, 12, 0, 0);

function refusal(input: { fromTime: string; toTime?: string }): string {
  try {
    parseReplayWindow(input, NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('parseReplayWindow', () => {
  it('carries both ends in the public format, converted to UTC', () => {
    expect(
      parseReplayWindow({ fromTime: '2026-05-28T10:00:00+02:00', toTime: '2026-05-28T11:30:00.5Z' }, NOW),
    ).toEqual({
      from: '2026-05-28T08:00:00.000000Z',
      fromMs: Date.UTC(2026, 4, 28, 8),
      to: '2026-05-28T11:30:00.500000Z',
      toMs: Date.UTC(2026, 4, 28, 11, 30, 0, 500),
    });
  });

  it('leaves the end open without --to-time, and allows it in the future', () => {
    expect(parseReplayWindow({ fromTime: '2026-05-27T00:00:00Z' }, NOW).to).toBeUndefined();
    expect(
      parseReplayWindow({ fromTime: '2026-05-27T00:00:00Z', toTime: '2027-01-01T00:00:00Z' }, NOW).to,
    ).toBe('2027-01-01T00:00:00.000000Z');
  });

  it('refuses what is not an RFC 3339 time, an empty or reversed window, and a start in the future', () => {
    expect(refusal({ fromTime: 'yesterday' })).toMatch(/^--from-time must be an RFC 3339 time/);
    expect(refusal({ fromTime: '2026-05-28' })).toMatch(/^--from-time must be/);
    expect(refusal({ fromTime: '2026-02-30T00:00:00Z' })).toMatch(/^--from-time must be/);
    expect(refusal({ fromTime: '2026-05-27T00:00:00Z', toTime: 'soon' })).toMatch(/^--to-time must be/);
    expect(refusal({ fromTime: '2026-05-27T00:00:00Z', toTime: '2026-05-27T00:00:00Z' })).toMatch(
      /must be after --from-time/,
    );
    expect(refusal({ fromTime: '2026-05-27T00:00:00Z', toTime: '2026-05-26T00:00:00Z' })).toMatch(
      /must be after --from-time/,
    );
    expect(refusal({ fromTime: '2026-05-28T12:00:01Z' })).toMatch(/is in the future$/);
  });
});
