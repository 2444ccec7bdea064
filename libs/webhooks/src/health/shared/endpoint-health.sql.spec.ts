import { newUlid } from '@herald/contracts';
import { firstDeliveryIdSince } from './endpoint-health.sql';

describe('the first delivery id of a window', () => {
  it('sorts after every id minted before the window and at most every id minted in it', () => {
    const start = new Date('2026-05-28T12:00:00.000Z');
    const bound = firstDeliveryIdSince(start);
    expect(bound).toMatch(/^dlv_[0-9A-Z]{10}0{16}$/);
    for (let i = 0; i < 200; i++) {
      expect(`dlv_${newUlid(start.getTime() - 1)}` < bound).toBe(true);
      expect(`dlv_${newUlid(start.getTime())}` >= bound).toBe(true);
      expect(`dlv_${newUlid(start.getTime() + 1)}` > bound).toBe(true);
    }
  });
});
