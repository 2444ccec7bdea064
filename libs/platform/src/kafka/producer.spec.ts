import { chunkByBytes, OutgoingMessage } from './producer';

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
