import type { PublicRecord } from '@herald/platform';
import { EntityManager } from 'typeorm';
import { EventsProjection } from './events.projection';
import { textArray } from './subject-rows';

function record(id: string, data: unknown, raw?: string): PublicRecord {
  const event = {
    id,
    type: 'post.created',
    created_at: '2026-05-28T12:00:00.000000Z',
    data,
  } as PublicRecord['event'];
  return { tenant: 'support', event, subjectId: '1', raw: raw ?? JSON.stringify(event) };
}

async function insertedParams(records: PublicRecord[]): Promise<unknown[]> {
  const calls: unknown[][] = [];
  // A transaction's manager whose connection records what it is asked to run.
  const client = {
    query: async (config: { values: unknown[] }) => {
      calls.push(config.values);
      return { rows: [] };
    },
  };
  const em = Object.assign(Object.create(EntityManager.prototype) as EntityManager, {
    queryRunner: { connect: async () => client },
  });
  await new EventsProjection().apply(
    em,
    records,
    records.map((_, i) => ({ partition: 0, offset: String(i), timestamp: '1780000000000' })),
  );
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

describe('EventsProjection', () => {
  it('passes each data member as published, byte for byte, in one JSON array', async () => {
    const spaced =
      '{"id":"evt_2","type":"post.created","created_at":"2026-05-28T12:00:00.000000Z","data":{ "b" : 1 ,"a":[2] }}';
    const params = await insertedParams([
      record('evt_1', { post_id: 1, title: 'say "hi" \\o/' }),
      record('evt_2', {}, spaced),
    ]);
    expect(params[4]).toBe('[{"post_id":1,"title":"say \\"hi\\" \\\\o/"},{ "b" : 1 ,"a":[2] }]');
    expect(JSON.parse(params[4] as string)).toEqual([
      { post_id: 1, title: 'say "hi" \\o/' },
      { b: 1, a: [2] },
    ]);
  });

  it('serialises data again when the record is not laid out as the translator writes it', async () => {
    const extra =
      '{"id":"evt_3","type":"post.created","created_at":"2026-05-28T12:00:00.000000Z","data":{"x":1},"more":true}';
    const r = record('evt_3', { x: 1 }, extra);
    (r.event as unknown as Record<string, unknown>).more = true;
    const reordered =
      '{"type":"post.created","id":"evt_4","created_at":"2026-05-28T12:00:00.000000Z","data":{"y":2}}';
    const params = await insertedParams([
      r,
      record('evt_4', { y: 2 }, reordered),
      { ...record('evt_5', { z: 3 }), raw: undefined },
    ]);
    expect(params[4]).toBe('[{"x":1},{"y":2},{"z":3}]');
  });
});

describe('textArray', () => {
  it('quotes every element of a literal, and leaves values with quotes or backslashes to the driver', () => {
    expect(textArray(['evt_1', 'NULL', 'a b,{c}', ''])).toBe('{"evt_1","NULL","a b,{c}",""}');
    expect(textArray([])).toBe('{}');
    expect(textArray(['ok', 'say "hi"'])).toEqual(['ok', 'say "hi"']);
    expect(textArray(['back\\slash'])).toEqual(['back\\slash']);
  });
});
