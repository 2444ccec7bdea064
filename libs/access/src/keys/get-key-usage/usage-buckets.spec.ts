import { usageWindowStart } from '../shared/api-key.item';
import { hourlyBuckets } from './usage-buckets';

const H = 3_600_000;
const now = Date.parse('2026-05-28T12:34:56.789Z');

describe('usage window and buckets', () => {
  it('the window starts 23 whole UTC hours before the current one', () => {
    expect(new Date(usageWindowStart(now)).toISOString()).toBe('2026-05-27T13:00:00.000Z');
    expect(usageWindowStart(Date.parse('2026-05-28T12:00:00.000Z'))).toBe(usageWindowStart(now));
  });

  it('has all 24 hours, oldest first, zero-filled, with the totals of the buckets shown', () => {
    const start = usageWindowStart(now);
    const { buckets, totals } = hourlyBuckets(start, [
      { hour: start + 23 * H, requests: 5, errors: 2 },
      { hour: start, requests: 3, errors: 0 },
      { hour: start + 23 * H, requests: 1, errors: 1 },
      // Outside the window (a clock ahead, an old row): not shown, not counted.
      { hour: start + 24 * H, requests: 100, errors: 100 },
      { hour: start - H, requests: 100, errors: 100 },
    ]);
    expect(buckets).toHaveLength(24);
    expect(buckets[0]).toEqual({ hour: '2026-05-27T13:00:00.000000Z', requests: 3, errors: 0 });
    expect(buckets[1]).toEqual({ hour: '2026-05-27T14:00:00.000000Z', requests: 0, errors: 0 });
    expect(buckets[23]).toEqual({ hour: '2026-05-28T12:00:00.000000Z', requests: 6, errors: 3 });
    expect(totals).toEqual({ requests: 9, errors: 3 });
  });

  it('is all zeros for a key never used', () => {
    const { buckets, totals } = hourlyBuckets(usageWindowStart(now), []);
    expect(buckets.every((b) => b.requests === 0 && b.errors === 0)).toBe(true);
    expect(totals).toEqual({ requests: 0, errors: 0 });
  });
});
