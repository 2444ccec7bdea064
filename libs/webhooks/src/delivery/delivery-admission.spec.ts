import pino from 'pino';
import { deliveryJob as job } from '../../../../test/fixtures/delivery-jobs';
import { generateEndpointSecret } from '../secrets/endpoint-secret';
import type { DeliverySettingsCache } from './delivery-settings';
import type { DeliveryStore } from './delivery-store';
import { systemPacerClock } from './backlog-pacer';
import { DeliveryWorkers, DeliveryWorkersOptions } from './delivery-workers';
import type { BreakerSettings } from './endpoint-lane';
import type { EndpointRegistry, LiveEndpoint } from './endpoint-registry';
import type { SendResult, WebhookSender } from './webhook-sender';

const CONCURRENCY = 16;
/** How long `/slow` takes to answer: its lane starts CONCURRENCY * 1000 / SLOW_MS attempts a second. */
const SLOW_MS = 20;

/** Stops every test's workers, also when it failed half-way (claims let through first). */
const teardowns: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(teardowns.splice(0).map((stop) => stop()));
});

/**
 * Workers over fakes: `/fast` answers 204 on the next turn of the event loop, `/slow` 204
 * after SLOW_MS, `/fail` 503, `/hang` never answers.
 */
function workers(
  breaker: BreakerSettings = { resetMs: 1000, volumeThreshold: 1000, errorPercent: 50, windowMs: 10_000 },
  maxHeld?: number,
  extra: Partial<DeliveryWorkersOptions> = {},
): {
  workers: DeliveryWorkers;
  claims: () => number;
  breakers: Array<[string, string]>;
  /** Holds the claims that start from now on until the returned function is called. */
  holdClaims: () => () => void;
} {
  let claims = 0;
  let gate: Promise<void> | undefined;
  const breakers: Array<[string, string]> = [];
  const secret = generateEndpointSecret('mobieus-v1').signing;
  const endpoint = (id: string): LiveEndpoint => ({
    id,
    tenant: 't',
    url: `https://hooks.example.com/${id}`,
    active: true,
    scheme: 'mobieus-v1',
    keys: { current: secret },
    previousUntil: null,
  });
  const store = {
    recordOutcomes: async () => undefined,
    renewLeases: async () => new Map<string, number>(),
    claimDue: async () => {
      claims++;
      await gate;
      return [];
    },
    purgeExpiredPreviousSecrets: async () => 0,
    recordBreakerState: async (id: string, state: string) => {
      breakers.push([id, state]);
    },
  } as unknown as DeliveryStore;
  const registry = {
    get: async (ids: Iterable<string>) => new Map([...ids].map((id) => [id, endpoint(id)])),
  } as unknown as EndpointRegistry;
  const settings = {
    forTenant: async () => ({ retrySchedule: [0, 1000, 2000], attemptTimeoutMs: 10_000 }),
    cachedTimeoutMs: () => 10_000,
  } as unknown as DeliverySettingsCache;
  const sender = {
    send: (url: string): Promise<SendResult> =>
      url.endsWith('hang')
        ? new Promise<SendResult>(() => undefined)
        : new Promise<SendResult>((resolve) =>
            (url.endsWith('slow') ? (f: () => void) => setTimeout(f, SLOW_MS) : setImmediate)(() =>
              resolve({
                statusCode: url.endsWith('fail') ? 503 : 204,
                headers: {},
                body: '',
                latencyMs: 1,
                error: null,
              }),
            ),
          ),
  } as unknown as WebhookSender;
  const w = new DeliveryWorkers(
    store,
    registry,
    settings,
    sender,
    {
      endpointConcurrency: CONCURRENCY,
      pollIntervalMs: 60_000,
      breaker,
      maxHeld,
      ...extra,
    },
    pino({ level: 'silent' }),
  );
  w.start();
  const releases: Array<() => void> = [];
  const holdClaims = (): (() => void) => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    releases.push(release);
    gate = held;
    return () => {
      if (gate === held) gate = undefined;
      release();
    };
  };
  teardowns.push(async () => {
    gate = undefined;
    for (const release of releases) release();
    await w.stop(10);
  });
  return { workers: w, claims: () => claims, breakers, holdClaims };
}

/**
 * Workers whose backlogs are paced (target 50 %), the event loop's utilisation fixed at
 * `busy`, the poller's first claim made and `/slow`'s pace known (800 starts a second).
 */
async function pacedWorkers(busy: number): Promise<ReturnType<typeof workers>> {
  const pacerClock = { ...systemPacerClock(), utilization: () => busy };
  const made = workers(undefined, undefined, { backlogBusy: 0.5, pacerClock });
  await until(() => made.claims() === 1);
  made.workers.admission.admit([job('slow', 0)]);
  await until(() => made.workers.heldCount === 0);
  return made;
}

async function until(check: () => boolean, withinMs = 1_000): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!check() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
}

describe("DeliveryAdmission over the workers' lanes", () => {
  const ended = (w: DeliveryWorkers, id: string): number =>
    w.admission.laneList.find((l) => l.endpointId === id)?.ended ?? 0;

  it('lets an endpoint that answers fast hold more than a short queue', async () => {
    const { workers: w } = workers();
    // A lane starts with a short queue: four times its concurrency.
    expect(w.admission.room('fast')).toBe(CONCURRENCY * 4);
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('fast', i)));
    expect(w.admission.room('fast')).toBe(0);
    await until(() => w.heldCount === 0);
    expect(ended(w, 'fast')).toBe(CONCURRENCY * 4);
    // Answering within milliseconds, it may hold what it finishes in a second: far more.
    expect(w.admission.room('fast')).toBeGreaterThan(CONCURRENCY * 4);
    await w.stop();
  });

  it('keeps the queue of an endpoint that does not answer short, and others unaffected', async () => {
    const { workers: w } = workers();
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('hang', i)));
    expect(w.admission.room('hang')).toBe(0);
    // More of its deliveries than its short queue are handed back to the table.
    w.admission.admit([job('hang', 1000)]);
    expect(w.heldCount).toBe(CONCURRENCY * 4);
    // Another endpoint is not affected.
    expect(w.admission.room('fast')).toBe(CONCURRENCY * 4);
    await w.stop(10);
  });

  it('keeps room for another endpoint however much one fast endpoint is given', async () => {
    const { workers: w } = workers(undefined, 400);
    w.admission.admit([job('fast', 0)]);
    await until(() => w.heldCount === 0);
    // Fast enough to hold all the process may hold, it gets half of it.
    expect(w.admission.room('fast')).toBe(200);
    w.admission.admit(Array.from({ length: 400 }, (_, i) => job('fast', i + 1)));
    expect(w.heldCount).toBe(200);
    expect(w.admission.room('fast')).toBe(0);
    // Another endpoint still finds room, and leaves room for a third.
    expect(w.admission.room('other')).toBe(CONCURRENCY * 4);
    w.admission.admit(Array.from({ length: 400 }, (_, i) => job('hang', i)));
    expect(w.admission.room('third')).toBeGreaterThan(0);
    await w.stop(10);
  });

  it('plans a dispatch without waiting: room leased, the rest to the table, behind what waits there', async () => {
    const { workers: w, claims } = workers();
    await until(() => claims() === 1); // the first look on start
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('hang', i)));
    const wanted = [
      ...Array.from({ length: CONCURRENCY * 4 + 2 }, () => 'fast'),
      ...Array.from({ length: 3 }, () => 'hang'),
    ];
    const plan = w.admission.plan(wanted, (id) => id);
    expect(plan.leased).toEqual(Array.from({ length: CONCURRENCY * 4 }, () => 'fast'));
    // No lane is waited for: what one has no room for goes to the table.
    expect(plan.unleased).toEqual(['fast', 'fast', 'hang', 'hang', 'hang']);
    // Left in the table, the fast endpoint's next deliveries queue behind those, room or not,
    // and a claim looks for them at once.
    w.admission.leftInTable(['fast']);
    expect(w.admission.plan(['fast'], (id) => id).unleased).toEqual(['fast']);
    await until(() => claims() === 2);
    // That claim found none of them left: the next one goes straight to its lane again.
    await until(() => w.admission.plan(['fast'], (id) => id).leased.length === 1);
    await w.stop(10);
  });

  it('counts deliveries being written behind toward their lane, and orders what follows behind them', async () => {
    const { workers: w, claims } = workers();
    await until(() => claims() === 1);
    const room = w.admission.room('fast');
    w.admission.writingBehind(new Map([['fast', room - 2]]));
    w.admission.writingBehind(new Map([['fast', 1]]));
    expect(w.admission.isWritingBehind('fast')).toBe(true);
    expect(w.admission.isWritingBehind('other')).toBe(false);
    // Two writes in flight bring room - 1 to the lane: one more fits, the rest goes to the table.
    expect(w.admission.plan(['fast', 'fast', 'other'], (id) => id)).toEqual({
      leased: ['fast', 'other'],
      unleased: ['fast'],
    });
    w.admission.writtenBehind(new Map([['fast', room - 2]]));
    expect(w.admission.isWritingBehind('fast')).toBe(true);
    w.admission.writtenBehind(new Map([['fast', 1]]));
    expect(w.admission.isWritingBehind('fast')).toBe(false);
    expect(w.admission.plan(['fast'], (id) => id).leased).toEqual(['fast']);
    await w.stop(10);
  });

  it('does not take a backlog for gone when the claim that missed it looked before it was written', async () => {
    const { workers: w, claims, holdClaims } = workers();
    await until(() => claims() === 1);
    const release = holdClaims();
    w.wake();
    await until(() => claims() === 2); // in flight: it looked before the write below
    w.admission.leftInTable(['fast']);
    const releaseNext = holdClaims();
    release();
    // The claim in flight finds nothing, yet the deliveries are there: still behind them,
    // until a claim planned after the write finds none.
    await until(() => claims() === 3);
    expect(w.admission.plan(['fast'], (id) => id).unleased).toEqual(['fast']);
    releaseNext();
    await until(() => w.admission.plan(['fast'], (id) => id).leased.length === 1);
    await w.stop(10);
  });

  it('claims for a lane that left deliveries in the table as it drains, not for other lanes', async () => {
    const { workers: w, claims } = workers();
    await until(() => claims() === 1); // the first look on start
    // The hanging endpoint's lane is full: what it has no room for goes back to the table.
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 + 10 }, (_, i) => job('hang', i)));
    // Hundreds of attempts end on the fast lane meanwhile: none of them is worth a claim.
    for (let round = 0; round < 5; round++) {
      w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('fast', round * 1000 + i)));
      await until(() => w.heldCount === CONCURRENCY * 4);
    }
    expect(ended(w, 'fast')).toBe(CONCURRENCY * 4 * 5);
    expect(claims()).toBe(1);
    // The fast lane leaves some of its own in the table: its draining claims them back.
    w.admission.admit(
      Array.from({ length: w.admission.room('fast') + 5 }, (_, i) => job('fast', 10_000 + i)),
    );
    await until(() => w.heldCount === CONCURRENCY * 4);
    expect(claims()).toBeGreaterThan(1);
    await w.stop(10);
  });

  it('gives an endpoint whose breaker is open no room until it half-opens, then claims for it', async () => {
    const {
      workers: w,
      claims,
      breakers,
    } = workers({
      resetMs: 300,
      volumeThreshold: 3,
      errorPercent: 50,
      windowMs: 10_000,
    });
    await until(() => claims() === 1);
    w.admission.admit(Array.from({ length: 5 }, (_, i) => job('fail', i)));
    await until(() => w.heldCount === 0);
    // Open: what the dispatcher has for it goes to the table, unleased, not into the lane.
    expect(w.admission.room('fail')).toBe(0);
    expect(w.admission.room('fast')).toBe(CONCURRENCY * 4);
    const before = claims();
    // Half-open after resetMs: room for the probe, and a claim looks for it at once.
    await until(() => w.admission.room('fail') > 0);
    await until(() => claims() > before);
    // Each transition is recorded once, for the management API; the fast lane's breaker never moved.
    expect(breakers).toEqual([
      ['fail', 'open'],
      ['fail', 'half_open'],
    ]);
    await w.stop(10);
    // Its breaker ends with the process: recorded closed.
    expect(breakers[2]).toEqual(['fail', 'closed']);
  });

  it('holds the reader of a backlog until the lanes it fed have room for as many again, leased', async () => {
    const { workers: w } = workers();
    w.admission.admit([job('fast', 0)]);
    await until(() => w.heldCount === 0); // its pace is known: it answers at once
    const chunk = 100;
    // The reader's last call filled the lane: the next one would go to the table.
    w.admission.admit(Array.from({ length: w.admission.room('fast') }, (_, i) => job('fast', i + 1)));
    expect(w.admission.room('fast')).toBe(0);
    const hold = w.admission.holdBacklog(new Map([['fast', chunk]]));
    expect(hold).toBeInstanceOf(Promise);
    let roomWhenReleased = -1;
    void hold!.then(() => (roomWhenReleased = w.admission.room('fast')));
    // Released once the attempts that ended made room: the next call is leased whole.
    await until(() => roomWhenReleased >= 0);
    expect(roomWhenReleased).toBeGreaterThanOrEqual(chunk);
    expect(
      w.admission.plan(
        Array.from({ length: chunk }, () => 'fast'),
        (id) => id,
      ).unleased,
    ).toEqual([]);
    // With room already, nothing to wait for.
    expect(w.admission.holdBacklog(new Map([['fast', chunk]]))).toBeUndefined();
    await w.stop(10);
  });

  it('does not hold the reader of a backlog for an endpoint that does not drain, nor long for any', async () => {
    const { workers: w, claims, holdClaims } = workers();
    await until(() => claims() === 1);
    // An endpoint that does not answer has no pace: its backlog goes to the table, no wait.
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('hang', i)));
    expect(w.admission.holdBacklog(new Map([['hang', 100]]))).toBeUndefined();
    // A fast endpoint with deliveries left in the table, which no claim brings back: the
    // reader waits for that backlog to go, but only ROOM_HOLD_MS (100 ms).
    w.admission.admit([job('fast', 0)]);
    await until(() => w.heldCount === CONCURRENCY * 4);
    const release = holdClaims();
    w.admission.leftInTable(['fast']);
    await until(() => claims() === 2);
    const hold = w.admission.holdBacklog(new Map([['fast', 100]]));
    expect(hold).toBeInstanceOf(Promise);
    let released = false;
    void hold!.then(() => (released = true));
    await until(() => released, 1_000);
    // Still behind the deliveries in the table: the next call goes there too.
    expect(w.admission.plan(['fast'], (id) => id).unleased).toEqual(['fast']);
    release();
    await w.stop(10);
  });

  it('while pacing, holds the reader of a backlog for deliveries in the table only of endpoints that drain them', async () => {
    // The loop within target: only deliveries waiting in the table can hold the reader.
    const { workers: w } = await pacedWorkers(0);
    // An endpoint that does not answer, its lane full, with deliveries in the table.
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('hang', i)));
    w.admission.leftInTable(['hang']);
    // Pacing: more queued for the slow endpoint than it starts in 100 ms, while another
    // endpoint's deliveries are on time.
    w.admission.admit([job('other', 0)]);
    w.admission.admit(Array.from({ length: 300 }, (_, i) => job('slow', i + 1)));
    await until(() => w.admission.pacing.pacing);
    // The hanging endpoint's table backlog will not drain: nothing to wait for.
    expect(w.admission.holdBacklog(new Map())).toBeUndefined();
    // The slow endpoint's will: the reader waits for it.
    w.admission.leftInTable(['slow']);
    expect(w.admission.holdBacklog(new Map())).toBeInstanceOf(Promise);
    await w.stop(10);
  });

  it('paces an endpoint with a backlog while another endpoint has deliveries on time, and only then', async () => {
    // The event loop always over target: a paced backlog keeps the floor, 20 starts a second.
    const pacerClock = { ...systemPacerClock(), utilization: () => 1 };
    const {
      workers: w,
      claims,
      holdClaims,
    } = workers(undefined, undefined, { backlogBusy: 0.5, pacerClock });
    await until(() => claims() === 1);
    // A backlog: what its lane holds, and more waiting in the table (no claim brings it back).
    const release = holdClaims();
    const backlog = CONCURRENCY * 4;
    // Alone, a backlog goes at full speed.
    w.admission.admit(Array.from({ length: backlog }, (_, i) => job('fast', i)));
    w.admission.leftInTable(['fast']);
    await until(() => w.heldCount === 0);
    expect(w.admission.pacing.pacing).toBe(false);
    // Another endpoint's deliveries go out on time, one every 10 ms, while the same backlog waits.
    w.admission.admit([job('other', 0)]);
    w.admission.admit(Array.from({ length: backlog }, (_, i) => job('fast', backlog + i)));
    let others = 1;
    const started = performance.now();
    while (performance.now() - started < 400) {
      await new Promise((r) => setTimeout(r, 10));
      w.admission.admit([job('other', others++)]);
      // Each is attempted as it comes, none waits behind the backlog.
      await until(() => ended(w, 'other') >= others - 1, 250);
    }
    expect(w.admission.pacing.pacing).toBe(true);
    // About 20 a second, and the few the budget saves up.
    const paced = ended(w, 'fast') - backlog;
    expect(paced).toBeLessThan(20);
    expect(w.admission.pacing.held).toBeGreaterThan(0);
    // Nothing on time for a second: the rest goes at full speed.
    await until(() => w.heldCount === 0, 3_000);
    expect(ended(w, 'fast')).toBe(2 * backlog);
    await until(() => !w.admission.pacing.pacing, 2_000);
    release();
    await w.stop(10);
  });

  it('does not pace an endpoint that keeps up, however many deliveries a dispatch gives it at once', async () => {
    // Were it paced, it would get 20 starts a second: the loop is always over target.
    const { workers: w } = await pacedWorkers(1);
    // Another endpoint's deliveries go out on time, one every 10 ms; the slow one gets bursts
    // of three times its concurrency, less than it starts in 100 ms, as a steady stream's
    // deliveries come when the dispatcher was held up.
    w.admission.admit([job('other', 0)]);
    let others = 1;
    let bursts = 0;
    const burst = CONCURRENCY * 3;
    const started = performance.now();
    while (performance.now() - started < 500) {
      const plan = w.admission.plan(
        Array.from({ length: burst }, (_, i) => job('slow', 1 + bursts * burst + i)),
        (j) => j.endpointId,
      );
      // The lane has room for all of it: none is left in the table.
      expect(plan.unleased).toEqual([]);
      w.admission.admit(plan.leased);
      bursts++;
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 10));
        w.admission.admit([job('other', others++)]);
      }
      // Each burst is done within its own pace: a burst takes 3 rounds of 20 ms.
      await until(() => ended(w, 'slow') === 1 + bursts * burst, 250);
    }
    expect(w.admission.pacing.held).toBe(0);
    expect(w.admission.pacing.pacing).toBe(false);
    await w.stop(10);
  });

  it('paces a lane that records passed over in the log feed, short as its queue is kept', async () => {
    // The loop always over target: a paced backlog keeps the floor, 20 starts a second.
    const { workers: w } = await pacedWorkers(1);
    w.admission.admit([job('other', 0)]);
    // Twice its concurrency, less than it starts in 100 ms: a steady stream's burst, on time.
    w.admission.admit(Array.from({ length: CONCURRENCY * 2 }, (_, i) => job('slow', i + 1)));
    await until(() => ended(w, 'slow') === 1 + CONCURRENCY * 2, 250);
    expect(w.admission.pacing.held).toBe(0);
    // Four times its concurrency, still less than it starts in 100 ms, but handed over by the
    // reader of records passed over: a backlog, paced once its first attempts went out.
    void w.admission.holdBacklog(new Map([['slow', CONCURRENCY * 4]]));
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('slow', 100 + i)));
    for (let i = 1; i <= 10; i++) {
      await new Promise((r) => setTimeout(r, 10));
      w.admission.admit([job('other', i)]);
    }
    expect(w.admission.pacing.pacing).toBe(true);
    expect(w.admission.pacing.held).toBeGreaterThan(0);
    // Its first concurrency's worth, then about 20 a second.
    expect(ended(w, 'slow') - (1 + CONCURRENCY * 2)).toBeLessThan(CONCURRENCY + 10);
    await w.stop(10);
  });

  describe('a lane behind and what comes to it live', () => {
    /** Paced workers (the loop over target: a paced backlog gets 20 starts a second), claims held. */
    async function live(): Promise<{
      w: DeliveryWorkers;
      /** As the dispatcher hands over a live call's new deliveries. */
      dispatch: (jobs: Array<ReturnType<typeof job>>) => void;
      /** Every 10 ms for `ms`, one delivery to another endpoint and `slow` to the slow one; returns how many of those. */
      stream: (ms: number, slow: number, at?: (elapsed: number) => void) => Promise<number>;
    }> {
      const made = await pacedWorkers(1);
      made.holdClaims();
      const w = made.workers;
      const dispatch = (jobs: Array<ReturnType<typeof job>>): void => {
        const plan = w.admission.plan(jobs, (j) => j.endpointId);
        w.admission.arrived(jobs.map((j) => j.endpointId));
        w.admission.admit(plan.leased);
        if (plan.unleased.length > 0) w.admission.leftInTable(plan.unleased.map((j) => j.endpointId));
      };
      let n = 0;
      const stream = async (ms: number, slow: number, at?: (elapsed: number) => void): Promise<number> => {
        let streamed = 0;
        const started = performance.now();
        while (performance.now() - started < ms) {
          await new Promise((r) => setTimeout(r, 10));
          at?.(performance.now() - started);
          dispatch([job('other', n++), ...Array.from({ length: slow }, () => job('slow', 10_000 + n++))]);
          streamed += slow;
        }
        return streamed;
      };
      return { w, dispatch, stream };
    }

    it('keeps starting a steady stream at its rate once a backlog is behind it, and paces only the backlog', async () => {
      const { w, stream } = await live();
      // A steady stream of 4 every 10 ms (about 400 a second, half its pace), on time for
      // over a second: that is its rate.
      await stream(1_200, 4);
      expect(w.admission.pacing.held).toBe(0);
      // Then a backlog of 600, read past in the log and handed over: it is behind.
      void w.admission.holdBacklog(new Map([['slow', 600]]));
      w.admission.admit(Array.from({ length: 600 }, (_, i) => job('slow', i)));
      const mark = { ended: 0, streamed: 0 };
      const streamed = await stream(700, 4, (elapsed) => {
        if (mark.ended === 0 && elapsed >= 200) Object.assign(mark, { ended: ended(w, 'slow'), streamed: 0 });
        if (mark.ended > 0) mark.streamed += 4;
      });
      expect(streamed).toBeGreaterThan(mark.streamed);
      expect(w.admission.pacing.held).toBeGreaterThan(0);
      // It starts as many as come to it (but for those still in flight), and the backlog at
      // the budget: the backlog does not grow. Paced as a whole, it would start about 10.
      const starts = ended(w, 'slow') - mark.ended;
      expect(starts).toBeGreaterThan(mark.streamed - CONCURRENCY - 20);
      expect(starts).toBeLessThan(mark.streamed + CONCURRENCY + 20);
      await w.stop(10);
    });

    it('paces a live burst beyond the rate that came before it', async () => {
      const { w, dispatch, stream } = await live();
      // Nothing came to it before: a burst of 600, far more than it starts in 100 ms.
      dispatch(Array.from({ length: 600 }, (_, i) => job('slow', i + 1)));
      const before = ended(w, 'slow');
      await stream(500, 0);
      expect(w.admission.pacing.held).toBeGreaterThan(0);
      // About 20 a second, and the few the budget saves up.
      expect(ended(w, 'slow') - before).toBeLessThan(CONCURRENCY + 20);
      await w.stop(10);
    });
  });

  it('while backlogs are paced, leaves an endpoint on time the room of its own pace', async () => {
    // The loop always over target: the backlog's budget is 20 starts a second.
    const { workers: w } = await pacedWorkers(1);
    w.admission.admit([job('fast', 0)]);
    await until(() => w.heldCount === 0); // its pace is known too
    const room = w.admission.room('fast');
    expect(room).toBeGreaterThan(CONCURRENCY * 4);
    // The slow endpoint behind (more queued than it starts in 100 ms), the fast one on time.
    w.admission.admit(Array.from({ length: 300 }, (_, i) => job('slow', i + 1)));
    let others = 1;
    for (let i = 0; i < 5; i++) {
      w.admission.admit([job('fast', others++)]);
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => w.admission.pacing.pacing);
    // The fast lane is not cut to the budget: a dispatch's burst is leased whole, none of it
    // left in the table to make it a backlog too.
    expect(w.admission.room('fast')).toBeGreaterThanOrEqual(room - 300);
    expect(
      w.admission.plan(
        Array.from({ length: 200 }, () => 'fast'),
        (id) => id,
      ).unleased,
    ).toEqual([]);
    await w.stop(10);
  });
});
