/**
 * The framework-free exchange (`receiveWebhook`) and the memory store: one handler run per
 * event under concurrency, 503 + Retry-After while in progress, release on a throw, claims
 * that lapse, and the status of every refusal.
 */
import { createHmac } from 'node:crypto';
import { MemoryDedupeStore, receiveWebhook, ReceiverOptions, WebhookEvent } from '.';

const secret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

function delivery(id = `evt_${Math.random().toString(36).slice(2)}`, at = Math.floor(Date.now() / 1000)) {
  const body = JSON.stringify({ id, type: 'post.created', created_at: new Date().toISOString(), data: {} });
  const v1 = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
  return { id, body, headers: { 'mobieus-signature': `t=${at},v1=${v1}` } };
}

describe('receiveWebhook', () => {
  it('runs the handler once for concurrent copies; the others wait with 503 + Retry-After', async () => {
    const options: ReceiverOptions = {
      secrets: secret,
      store: new MemoryDedupeStore(),
      retryAfterSeconds: 3,
    };
    const d = delivery();
    const seen: WebhookEvent[] = [];
    let finish!: () => void;
    const running = new Promise<void>((r) => (finish = r));
    const first = receiveWebhook(d.headers, d.body, options, async (event) => {
      seen.push(event);
      await running;
    });
    const copies = await Promise.all(
      Array.from({ length: 20 }, () => receiveWebhook(d.headers, d.body, options, (e) => seen.push(e))),
    );
    expect(copies.every((a) => a.status === 503 && a.headers['retry-after'] === '3')).toBe(true);
    finish();
    expect((await first).status).toBe(200);
    const later = await receiveWebhook(d.headers, d.body, options, (e) => seen.push(e));
    expect([later.status, later.body.duplicate]).toEqual([200, true]);
    expect(seen.map((e) => e.id)).toEqual([d.id]);
  });

  it('answers 500 when the handler throws and lets the retry process the event', async () => {
    const errors: unknown[] = [];
    const options: ReceiverOptions = {
      secrets: secret,
      store: new MemoryDedupeStore(),
      onError: (e) => errors.push(e),
    };
    const d = delivery();
    let calls = 0;
    const handler = () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    };
    expect((await receiveWebhook(d.headers, d.body, options, handler)).status).toBe(500);
    expect((await receiveWebhook(d.headers, d.body, options, handler)).status).toBe(200);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('refuses without calling the handler: 401 for signatures, 400 for timestamps', async () => {
    const options: ReceiverOptions = { secrets: secret };
    const handler = jest.fn();
    const d = delivery();
    const answers = await Promise.all([
      receiveWebhook(d.headers, `${d.body} `, options, handler),
      receiveWebhook({}, d.body, options, handler),
      receiveWebhook(delivery(undefined, 1_000_000).headers, d.body, options, handler),
    ]);
    expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual([
      [401, 'bad_signature'],
      [401, 'missing_signature'],
      [400, 'stale_timestamp'],
    ]);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('MemoryDedupeStore', () => {
  it('claims once, lapses an abandoned claim after its ttl, remembers completed ids for the retention', async () => {
    let now = 1_000;
    const store = new MemoryDedupeStore({ retentionMs: 10_000, clock: () => now });
    expect(await store.claim('a', 500)).toBe('claimed');
    expect(await store.claim('a', 500)).toBe('in_progress');
    now += 500;
    expect(await store.claim('a', 500)).toBe('claimed');
    await store.complete('a');
    now += 9_999;
    expect(await store.claim('a', 500)).toBe('duplicate');
    now += 1;
    expect(await store.claim('a', 500)).toBe('claimed');
    await store.release('a');
    expect(await store.claim('a', 500)).toBe('claimed');
  });
});
