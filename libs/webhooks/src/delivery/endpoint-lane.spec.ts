import { deliveryJob } from '../../../../test/fixtures/delivery-jobs';
import { EndpointLane } from './endpoint-lane';

const job = (n: number) => deliveryJob('ep_1', n);

const breaker = { resetMs: 1000, volumeThreshold: 5, errorPercent: 50, windowMs: 10_000 };

describe('EndpointLane pace', () => {
  let lane: EndpointLane;

  beforeEach(() => {
    jest.useFakeTimers();
    lane = new EndpointLane(
      'ep_1',
      16,
      breaker,
      async (j) => ({ kind: 'released', job: j }),
      () => undefined,
    );
  });
  afterEach(() => {
    lane.shutdown();
    jest.useRealTimers();
  });

  it('is unknown until a request is answered, then its concurrency over its quickest answer', () => {
    expect(lane.pace()).toBeNull();
    const slow = job(1);
    lane.sending(slow);
    jest.advanceTimersByTime(40);
    lane.answered(slow);
    expect(lane.pace()).toBeCloseTo((16 * 1000) / 40, 0);
    const quick = job(2);
    lane.sending(quick);
    jest.advanceTimersByTime(4);
    lane.answered(quick);
    // One quick answer shows what the endpoint can do; the slow one was the connection opening.
    expect(lane.pace()).toBeCloseTo((16 * 1000) / 4, 0);
  });

  it('loses its pace as soon as a request has been out longer than a second', () => {
    const quick = job(1);
    lane.sending(quick);
    jest.advanceTimersByTime(4);
    lane.answered(quick);
    const hanging = job(2);
    lane.sending(hanging);
    jest.advanceTimersByTime(900);
    expect(lane.pace()).toBeCloseTo(4000, 0);
    jest.advanceTimersByTime(1100);
    expect(lane.pace()).toBeCloseTo((16 * 1000) / 2000, 0);
    lane.answered(hanging);
    // Answered at last: its 2 s are on record, but the quickest recent answer sets the pace.
    expect(lane.pace()).toBeCloseTo(4000, 0);
  });

  it('counts the answers it has had', () => {
    for (let i = 0; i < 3; i++) {
      const j = job(i);
      lane.sending(j);
      lane.answered(j);
    }
    lane.answered(job(99)); // never sent: not counted
    expect(lane.ended).toBe(3);
  });
});
