import { attemptClass, HeraldMetrics, throttled } from './herald-metrics';

describe('HeraldMetrics', () => {
  it('keeps each instance to its own registry', async () => {
    const a = new HeraldMetrics();
    const b = new HeraldMetrics();
    a.eventsAppended.inc(3);
    expect((await a.scrape()).text).toContain('herald_events_appended_total 3\n');
    expect((await b.scrape()).text).toContain('herald_events_appended_total 0\n');
  });

  it('shows a sampled gauge only once a source is registered, summing sources', async () => {
    const m = new HeraldMetrics();
    expect((await m.scrape()).text).not.toContain('herald_webhook_breakers');
    m.addBreakerSource(() => ({ closed: 2, open: 1, half_open: 0 }));
    m.addBreakerSource(() => ({ closed: 1, open: 0, half_open: 1 }));
    const text = (await m.scrape()).text;
    expect(text).toContain('herald_webhook_breakers{state="closed"} 3\n');
    expect(text).toContain('herald_webhook_breakers{state="open"} 1\n');
    expect(text).toContain('herald_webhook_breakers{state="half_open"} 1\n');
  });

  it("shows the backlog pace of this process's workers, 0 while not paced", async () => {
    const m = new HeraldMetrics();
    let pace = 0;
    m.addBacklogPaceSource(() => pace);
    expect((await m.scrape()).text).toContain('herald_webhook_backlog_pace 0\n');
    pace = 340;
    expect((await m.scrape()).text).toContain('herald_webhook_backlog_pace 340\n');
  });

  it('leaves out the samples of a failing source, and says NaN for a gauge without labels', async () => {
    const m = new HeraldMetrics();
    m.addConsumerLagSource(() => Promise.reject(new Error('broker down')));
    m.addConsumerLagSource(() => [{ labels: { group: 'g', topic: 't', partition: 0 }, value: 4 }]);
    m.addOldestPendingSource(() => Promise.reject(new Error('database down')));
    const text = (await m.scrape()).text;
    expect(text).toContain('herald_consumer_lag_messages{group="g",topic="t",partition="0"} 4\n');
    expect(text.match(/^herald_consumer_lag_messages\{/gm)).toHaveLength(1);
    expect(text).toMatch(/^herald_webhook_oldest_pending_delivery_age_seconds nan$/im);
  });

  it('reads 0 for no pending delivery', async () => {
    const m = new HeraldMetrics();
    m.addOldestPendingSource(async () => null);
    expect((await m.scrape()).text).toContain('herald_webhook_oldest_pending_delivery_age_seconds 0\n');
  });
});

describe('throttled', () => {
  it('asks the source at most once per interval and shares a call in flight', async () => {
    let calls = 0;
    const source = throttled(async () => ++calls, 60_000);
    expect(await Promise.all([source(), source()])).toEqual([1, 1]);
    expect(await source()).toBe(1);
    expect(calls).toBe(1);
  });

  it('asks again after a failure', async () => {
    let calls = 0;
    const source = throttled(async () => {
      calls++;
      if (calls === 1) throw new Error('first fails');
      return calls;
    }, 60_000);
    await expect(source()).rejects.toThrow('first fails');
    expect(await source()).toBe(2);
  });
});

describe('attemptClass', () => {
  it.each([
    [200, null, '2xx'],
    [204, null, '2xx'],
    [302, 'redirect not followed', '3xx'],
    [410, null, '4xx'],
    [503, null, '5xx'],
    [200, 'response body: timeout: no complete answer within 100 ms', '2xx'],
    [null, 'timeout: no complete answer within 100 ms', 'timeout'],
    [null, 'connect ECONNREFUSED 127.0.0.1:1', 'network'],
    [null, null, 'network'],
  ])('%s / %s → %s', (status, error, expected) => {
    expect(attemptClass(status, error)).toBe(expected);
  });
});
