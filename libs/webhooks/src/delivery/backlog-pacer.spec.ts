import { BacklogPacer, PacerClock } from './backlog-pacer';

/** A clock the test moves by hand, with an event loop as busy as the test says. */
function fakeClock(): PacerClock & {
  at: number;
  busy: number;
  tick: () => void;
  sampling: () => boolean;
  advance: (ms: number) => void;
} {
  let ticks: { ms: number; tick: () => void; next: number } | undefined;
  const clock = {
    at: 1_000,
    busy: 0,
    now: () => clock.at,
    utilization: () => clock.busy,
    every: (ms: number, tick: () => void) => {
      const t = { ms, tick, next: clock.at + ms };
      ticks = t;
      return () => {
        if (ticks === t) ticks = undefined;
      };
    },
    tick: () => ticks?.tick(),
    sampling: () => ticks !== undefined,
    /** Moves time on, running the sampler at each of its ticks on the way. */
    advance: (ms: number) => {
      const end = clock.at + ms;
      while (ticks && ticks.next <= end) {
        clock.at = ticks.next;
        ticks.next += ticks.ms;
        ticks.tick();
      }
      clock.at = end;
    },
  };
  return clock;
}

/** Asks for `n` backlogged starts, `everyMs` apart; how many were let through at once. */
function backlogStarts(
  pacer: BacklogPacer,
  clock: ReturnType<typeof fakeClock>,
  n: number,
  everyMs: number,
): number {
  let started = 0;
  for (let i = 0; i < n; i++) {
    if (pacer.wait('big', true) === 0) started++;
    clock.advance(everyMs);
  }
  return started;
}

/**
 * `samples` times 100 ms: another lane starts on time, and the backlog asks `asks` times,
 * evenly spread; how many of its starts were let through.
 */
function beside(
  pacer: BacklogPacer,
  clock: ReturnType<typeof fakeClock>,
  samples: number,
  asks: number,
): number {
  let started = 0;
  for (let i = 0; i < samples; i++) {
    pacer.wait('small', false);
    started += backlogStarts(pacer, clock, asks, 100 / asks);
  }
  return started;
}

describe('BacklogPacer', () => {
  it('never holds a lane without a backlog', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(0.5, clock);
    clock.busy = 1;
    for (let i = 0; i < 1_000; i++) expect(pacer.wait('small', false)).toBe(0);
  });

  it('lets a backlog go at full speed while nothing else is on time', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(0.5, clock);
    clock.busy = 1;
    expect(backlogStarts(pacer, clock, 5_000, 0.1)).toBe(5_000);
    expect(pacer.stats.pacing).toBe(false);
    // An on-time start more than a second ago no longer counts.
    pacer.wait('small', false);
    clock.advance(1_001);
    expect(backlogStarts(pacer, clock, 1_000, 0.1)).toBe(1_000);
    expect(pacer.stats.pacing).toBe(false);
  });

  it('does not pace a lane for its own starts while its queue was short', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(0.5, clock);
    clock.busy = 1;
    // A burst's first attempts start on time, then its queue fills up.
    for (let i = 0; i < 16; i++) expect(pacer.wait('big', false)).toBe(0);
    expect(backlogStarts(pacer, clock, 5_000, 0.1)).toBe(5_000);
    expect(pacer.stats.pacing).toBe(false);
    // Another lane's on-time start paces it; that lane's own later backlog is paced for the first's.
    pacer.wait('small', false);
    expect(backlogStarts(pacer, clock, 100, 0.1)).toBeLessThan(5);
    // A second later, only its own short-queue starts again: not paced for those.
    clock.advance(1_100);
    pacer.wait('big', false);
    expect(backlogStarts(pacer, clock, 1_000, 0.1)).toBe(1_000);
  });

  it('paces a backlog from the floor once another lane starts on time, and grows it while the loop has room', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(0.5, clock);
    clock.busy = 0.2;
    expect(backlogStarts(pacer, clock, 1_000, 0.5)).toBe(1_000);
    pacer.wait('small', false);
    expect(pacer.stats.pacing).toBe(false);
    // Asked 10,000 times a second for the next 100 ms: about 20 a second get through.
    expect(backlogStarts(pacer, clock, 1_000, 0.1)).toBeLessThanOrEqual(3);
    expect(pacer.stats.pacing).toBe(true);
    // A second on, with the loop at 20 %, the budget has grown tenfold and more.
    beside(pacer, clock, 9, 1_000);
    expect(pacer.stats.rate).toBeGreaterThan(200);
    pacer.wait('small', false);
    const started = backlogStarts(pacer, clock, 1_000, 0.1);
    expect(started).toBeGreaterThan((pacer.stats.rate / 10) * 0.7);
    expect(pacer.stats.held).toBeGreaterThan(5_000);
  });

  it('resumes at the budget it had when pacing begins again soon after', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(0.5, clock);
    clock.busy = 0.2;
    beside(pacer, clock, 10, 1_000);
    // One more sample with nothing asked: the budget stays as it is.
    clock.advance(100);
    const had = pacer.stats.rate;
    expect(had).toBeGreaterThan(200);
    clock.advance(1_100);
    expect(pacer.stats.pacing).toBe(false);
    pacer.wait('small', false);
    pacer.wait('big', true);
    expect(pacer.stats.rate).toBe(had);
    // Long after, it begins at the floor again.
    clock.advance(11_200);
    pacer.wait('small', false);
    pacer.wait('big', true);
    expect(pacer.stats.rate).toBe(20);
  });

  it('tells a held lane when the budget has its next start', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(0.5, clock);
    clock.busy = 0.5;
    pacer.wait('small', false);
    // No pace known: it starts from the floor, 20 a second.
    expect(pacer.wait('big', true)).toBe(0);
    const wait = pacer.wait('big', true);
    expect(wait).toBe(50);
    clock.advance(wait);
    expect(pacer.wait('big', true)).toBe(0);
  });

  it('cuts the budget while the loop is busier than its target, down to a floor', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(0.5, clock);
    clock.busy = 0.2;
    beside(pacer, clock, 15, 1_000);
    const first = pacer.stats.rate;
    expect(first).toBeGreaterThan(500);
    // At 60 % against 50 %, a cut by a sixth; at 100 %, by half.
    clock.busy = 0.6;
    pacer.wait('small', false);
    clock.advance(100);
    expect(pacer.stats.rate).toBeCloseTo((first * 5) / 6, 5);
    clock.busy = 1;
    pacer.wait('small', false);
    clock.advance(100);
    expect(pacer.stats.rate).toBeCloseTo((first * 5) / 12, 5);
    beside(pacer, clock, 20, 1);
    expect(pacer.stats.rate).toBe(20);
    // The floor still moves the backlog: 20 a second.
    pacer.wait('small', false);
    expect(backlogStarts(pacer, clock, 1_000, 1)).toBeGreaterThanOrEqual(19);
  });

  it('grows the budget while the loop is well below its target and the backlog uses it all', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(0.5, clock);
    clock.busy = 0.2;
    pacer.wait('small', false);
    pacer.wait('big', true);
    expect(pacer.stats.rate).toBe(20);
    // Each 100 ms: an on-time start, and a backlog asking for more than it gets.
    beside(pacer, clock, 20, 100);
    const grown = pacer.stats.rate;
    expect(grown).toBeGreaterThan(200);
    // A backlog that does not use its budget does not grow it.
    beside(pacer, clock, 20, 1);
    expect(pacer.stats.rate).toBe(grown);
  });

  it('stops pacing once nothing has started on time for a second', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(0.5, clock);
    clock.busy = 1;
    pacer.wait('small', false);
    pacer.wait('big', true);
    expect(pacer.stats.pacing).toBe(true);
    expect(clock.sampling()).toBe(true);
    clock.advance(1_200);
    expect(pacer.stats.pacing).toBe(false);
    expect(clock.sampling()).toBe(false);
    expect(backlogStarts(pacer, clock, 500, 0.1)).toBe(500);
  });

  it('never paces with a target of 1', () => {
    const clock = fakeClock();
    const pacer = new BacklogPacer(1, clock);
    clock.busy = 1;
    pacer.wait('small', false);
    expect(backlogStarts(pacer, clock, 5_000, 0.01)).toBe(5_000);
    expect(clock.sampling()).toBe(false);
  });
});
