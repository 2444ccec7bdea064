import { deliveryCounts, healthStatus, HealthFigures, successRate } from './health-status';

const fine: HealthFigures = {
  successRate: 1,
  oldestPendingAgeSeconds: null,
  autoDisabledEndpoints: 0,
  trippedBreakers: 0,
};

describe('webhook health', () => {
  it('is green with nothing to deliver, or all but under 1 % delivered and nothing waiting long', () => {
    expect(healthStatus({ ...fine, successRate: null })).toBe('green');
    expect(healthStatus({ ...fine, successRate: 0.99, oldestPendingAgeSeconds: 299 })).toBe('green');
  });

  it.each<[string, Partial<HealthFigures>]>([
    ['success just under 99 %', { successRate: 0.9899 }],
    ['success at 90 %', { successRate: 0.9 }],
    ['a delivery pending for 5 minutes', { oldestPendingAgeSeconds: 300 }],
    ['a delivery pending for exactly an hour', { oldestPendingAgeSeconds: 3600 }],
    ['a breaker open', { trippedBreakers: 1 }],
  ])('is amber with %s', (_, change) => {
    expect(healthStatus({ ...fine, ...change })).toBe('amber');
  });

  it.each<[string, Partial<HealthFigures>]>([
    ['success under 90 %', { successRate: 0.8999 }],
    ['a delivery pending for over an hour', { oldestPendingAgeSeconds: 3601 }],
    ['an endpoint disabled by Herald', { autoDisabledEndpoints: 1 }],
  ])('is red with %s', (_, change) => {
    expect(healthStatus({ ...fine, ...change })).toBe('red');
  });

  it('counts the latest outcome of attempted deliveries only', () => {
    const counts = deliveryCounts({ succeeded: 197, retrying: 2, dead: 1, pending: 40, cancelled: 3 });
    expect(counts).toEqual({ succeeded: 197, failed: 2, dead: 1, pending: 40, cancelled: 3 });
    expect(successRate(counts)).toBe(0.985);
    expect(successRate(deliveryCounts({ pending: 5, cancelled: 1 }))).toBeNull();
    expect(successRate(deliveryCounts({ succeeded: 2, retrying: 1 }))).toBe(0.6667);
  });
});
