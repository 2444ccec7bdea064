import type { Kafka } from 'kafkajs';
import { chunkByBytes, HeraldProducer, MAX_REQUEST_BYTES, OutgoingMessage } from './producer';

const msg = (key: string, bytes: number): OutgoingMessage => ({ key, value: 'x'.repeat(bytes) });

describe('chunkByBytes', () => {
  it('keeps small calls in one request and preserves order within each topic', () => {
    const chunks = chunkByBytes(
      [
        { topic: 'a', messages: [msg('1', 10), msg('2', 10)] },
        { topic: 'b', messages: [msg('3', 10)] },
      ],
      10_000,
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.map((b) => [b.topic, b.messages.map((m) => m.key)])).toEqual([
      ['a', ['1', '2']],
      ['b', ['3']],
    ]);
  });

  it('splits a call that would exceed the size limit, in order, losing nothing', () => {
    const messages = Array.from({ length: 100 }, (_, i) => msg(String(i), 1000));
    const chunks = chunkByBytes([{ topic: 't', messages }], 10_000);
    expect(chunks.length).toBeGreaterThan(10);
    const keys = chunks.flatMap((c) => c.flatMap((b) => b.messages.map((m) => m.key)));
    expect(keys).toEqual(messages.map((m) => m.key));
    for (const c of chunks)
      expect(c.flatMap((b) => b.messages).length * 1064).toBeLessThanOrEqual(10_000 + 1064);
  });

  it('sends an empty call as nothing', () => {
    expect(chunkByBytes([{ topic: 't', messages: [] }], 100)).toEqual([]);
  });
});

/** A kafkajs producer whose requests complete when the test says so. */
function fakeKafka(): {
  kafka: Kafka;
  requests: Array<{ keys: string[]; finish: (err?: Error) => void }>;
} {
  const requests: Array<{ keys: string[]; finish: (err?: Error) => void }> = [];
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ key: string }> }> }) =>
      new Promise<void>((resolve, reject) => {
        requests.push({
          keys: topicMessages.flatMap((t) => t.messages.map((m) => m.key)),
          finish: (err) => (err ? reject(err) : resolve()),
        });
      }),
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, requests };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('HeraldProducer group commit', () => {
  it('sends an idle call at once and the calls made meanwhile as one next request, in order', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new HeraldProducer(kafka);
    const resolved: string[] = [];
    const first = producer.send('t', [msg('a', 10)]).then(() => resolved.push('a'));
    expect(requests.map((r) => r.keys)).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((k) => producer.send('t', [msg(k, 10)]).then(() => resolved.push(k)));
    await tick();
    expect(requests).toHaveLength(1); // b, c and d wait for a's request
    requests[0]!.finish();
    await first;
    await tick();
    expect(requests.map((r) => r.keys)).toEqual([['a'], ['b', 'c', 'd']]);
    expect(resolved).toEqual(['a']);
    requests[1]!.finish();
    await Promise.all(rest);
    expect(resolved).toEqual(['a', 'b', 'c', 'd']);
    // Idle again: the next call goes out by itself, straight away.
    void producer.send('t', [msg('e', 10)]);
    expect(requests.map((r) => r.keys)).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  });

  it('fails every call of a failed request, and only those', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new HeraldProducer(kafka);
    const a = producer.send('t', [msg('a', 10)]);
    const b = producer.send('t', [msg('b', 10)]);
    const c = producer.send('t', [msg('c', 10)]);
    requests[0]!.finish();
    await a;
    await tick();
    const d = producer.send('t', [msg('d', 10)]);
    requests[1]!.finish(new Error('broker gone'));
    await expect(b).rejects.toThrow('broker gone');
    await expect(c).rejects.toThrow('broker gone');
    await tick();
    expect(requests[2]!.keys).toEqual(['d']);
    requests[2]!.finish();
    await expect(d).resolves.toBeUndefined();
  });

  it('never puts more than a request holds together, and never splits a call that fits', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = new HeraldProducer(kafka);
    const third = Math.floor(MAX_REQUEST_BYTES / 3);
    const calls = [producer.send('t', [msg('head', 10)])];
    for (const k of ['p', 'q', 'r', 's'])
      calls.push(producer.send('t', [msg(`${k}1`, third), msg(`${k}2`, 10)]));
    requests[0]!.finish();
    await tick();
    expect(requests[1]!.keys).toEqual(['p1', 'p2', 'q1', 'q2']);
    requests[1]!.finish();
    await tick();
    expect(requests[2]!.keys).toEqual(['r1', 'r2', 's1', 's2']);
    requests[2]!.finish();
    await Promise.all(calls);
  });

  it('resolves an empty call without a request', async () => {
    const { kafka, requests } = fakeKafka();
    await new HeraldProducer(kafka).send('t', []);
    expect(requests).toHaveLength(0);
  });
});
