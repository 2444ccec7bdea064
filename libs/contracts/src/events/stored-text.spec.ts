import { findUnsafeText, MAX_JSON_DEPTH, unsafeTextReason } from './stored-text';
import { validateInternalEvent } from './validate';

const nest = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('stored text', () => {
  it('refuses NUL and lone surrogates, keeps surrogate pairs and everything else', () => {
    expect(unsafeTextReason('a\u0000b')).toMatch(/NUL/);
    expect(unsafeTextReason('a\ud800')).toMatch(/lone UTF-16 surrogate/);
    expect(unsafeTextReason('\udc00a')).toMatch(/lone UTF-16 surrogate/);
    expect(unsafeTextReason('\ud83d\ude00 ok \u0001 é')).toBeUndefined();
  });

  it('names the field by its path, keys included', () => {
    expect(findUnsafeText({ a: [{ b: 'x' }, { b: 'y\u0000' }] })).toEqual({
      field: 'a[1].b',
      reason: 'a[1].b must not contain NUL (\\u0000)',
    });
    expect(findUnsafeText({ f: { 'k\ud800': 1 } })?.field).toBe('f.k\ud800');
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting and refuses one more, without recursion`, () => {
    expect(findUnsafeText(nest(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findUnsafeText(nest(MAX_JSON_DEPTH + 1))?.reason).toMatch(/nests deeper than 64 levels/);
    expect(findUnsafeText(nest(200_000))?.reason).toMatch(/nests deeper/);
  });
});

describe('internal events: ids and text the read models can store', () => {
  const event = (data: Record<string, unknown>) => ({
    id: '01JG5K8HW2X4A8Q3M1T6KQ7BWP',
    tenant: 'support',
    kind: 'forum.post.deleted',
    occurred_at: '2026-05-28T12:34:56Z',
    data: { post_id: 1, thread_id: 2, deleted_by: 3, ...data },
  });
  const reason = (data: Record<string, unknown>) => {
    const v = validateInternalEvent(event(data));
    return v.ok ? undefined : v.reason;
  };

  it('accepts ids up to 2^53−1 and refuses what JSON.parse rounded from beyond it', () => {
    expect(reason({ post_id: Number.MAX_SAFE_INTEGER })).toBeUndefined();
    expect(reason({ post_id: JSON.parse('9007199254740993') })).toBe(
      'data.post_id must be <= 9007199254740991',
    );
    expect(reason({ post_id: 2 ** 63 })).toBe('data.post_id must be <= 9007199254740991');
  });

  it('refuses NUL and lone surrogates anywhere in the event, extras included', () => {
    expect(reason({ note: 'x\u0000' })).toBe('data.note must not contain NUL (\\u0000)');
    expect(reason({ note: { deep: '\udfff' } })).toBe(
      'data.note.deep must not contain a lone UTF-16 surrogate',
    );
  });
});
