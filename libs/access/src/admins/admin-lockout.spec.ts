import { LOCK_AFTER, lockDurationMs } from './admin-lockout';

describe('admin login lockout', () => {
  it('does not lock before the fifth consecutive failure', () => {
    expect(LOCK_AFTER).toBe(5);
    for (let n = 0; n < 5; n++) expect(lockDurationMs(n)).toBe(0);
  });

  it('locks for a minute, doubling per further failure, at most an hour', () => {
    expect([5, 6, 7, 8, 9, 10, 11, 50, 1000].map(lockDurationMs)).toEqual([
      60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
  });
});
