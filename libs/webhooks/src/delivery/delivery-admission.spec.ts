import pino from 'pino';
import { deliveryJob as job } from '../../../../test/fixtures/delivery-jobs';
import { generateEndpointSecret } from '../secrets/endpoint-secret';
import type { DeliverySettingsCache } from './delivery-settings';
import type { DeliveryStore } from './delivery-store';
import { DeliveryWorkers } from './delivery-workers';
import type { BreakerSettings } from './endpoint-lane';
import type { EndpointRegistry, LiveEndpoint } from './endpoint-registry';
import type { SendResult, WebhookSender } from './webhook-sender';

const CONCURRENCY = 16;

/**
 * Workers over fakes: `/fast` answers 204 on the next turn of the event loop, `/fail` 503,
 * `/hang` never answers.
 */
function workers(
  breaker: BreakerSettings = { resetMs: 1000, volumeThreshold: 1000, errorPercent: 50, windowMs: 10_000 },
): { workers: DeliveryWorkers; claims: () => number; breakers: Array<[string, string]> } {
  let claims = 0;
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
            setImmediate(() =>
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
    },
    pino({ level: 'silent' }),
  );
  w.start();
  return { workers: w, claims: () => claims, breakers };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
}

describe("DeliveryAdmission over the workers' lanes", () => {
  it('lets an endpoint that answers fast hold more than a short queue, and waits for it', async () => {
    const { workers: w } = workers();
    // A lane starts with a short queue: four times its concurrency.
    expect(w.admission.room('fast')).toBe(CONCURRENCY * 4);
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('fast', i)));
    expect(w.admission.room('fast')).toBe(0);
    // Just started, not answered yet: worth waiting for.
    expect(w.admission.drainsSoon('fast')).toBe(true);
    await until(() => w.heldCount === 0);
    expect(w.admission.ended('fast')).toBe(CONCURRENCY * 4);
    // Answering within milliseconds, it may hold what it finishes in a second: far more.
    expect(w.admission.room('fast')).toBeGreaterThan(CONCURRENCY * 4);
    expect(w.admission.drainsSoon('fast')).toBe(true);
    await w.stop();
  });

  it('never waits for an endpoint that does not answer, and keeps its queue short', async () => {
    const { workers: w } = workers();
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('hang', i)));
    expect(w.admission.room('hang')).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    // Its requests have been out for a while with no answer: its pace is not known, so no.
    expect(w.admission.drainsSoon('hang')).toBe(false);
    // More of its deliveries than its short queue are handed back to the table.
    expect(w.admission.room('hang')).toBe(0);
    // Another endpoint is not affected.
    expect(w.admission.room('fast')).toBe(CONCURRENCY * 4);
    await w.stop(10);
  });

  it('does not wait for a lane found slow by a wait, for a while', async () => {
    const { workers: w } = workers();
    w.admission.admit([job('fast', 1)]);
    await until(() => w.heldCount === 0);
    await new Promise((r) => setTimeout(r, 1000)); // past the lane's first second
    expect(w.admission.drainsSoon('fast')).toBe(true);
    w.admission.markSlow('fast', 60_000);
    expect(w.admission.drainsSoon('fast')).toBe(false);
    await w.stop();
  });

  it('plans a dispatch round: room leased, a fast full lane waited for, a hanging one to the table', async () => {
    const { workers: w } = workers();
    w.admission.admit(Array.from({ length: CONCURRENCY * 4 }, (_, i) => job('hang', i)));
    // Until its requests have been out long enough for the lane to stop waiting for it.
    await until(() => !w.admission.drainsSoon('hang'));
    const wanted = [
      ...Array.from({ length: CONCURRENCY * 4 + 2 }, () => 'fast'),
      ...Array.from({ length: 3 }, () => 'hang'),
    ];
    const plan = w.admission.plan(wanted, (id) => id);
    expect(plan.leased).toEqual(Array.from({ length: CONCURRENCY * 4 }, () => 'fast'));
    // New and untried: the fast lane's overflow waits for its room rather than going to the table.
    expect(plan.later).toEqual(['fast', 'fast']);
    expect(plan.unleased).toEqual(['hang', 'hang', 'hang']);
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
    expect(w.admission.ended('fast')).toBe(CONCURRENCY * 4 * 5);
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
    expect(w.admission.drainsSoon('fail')).toBe(false);
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
});
