import { jsonNestsDeeperThan, unsafeTextError } from './request-text';

describe('request text', () => {
  it('counts nesting outside strings only, escapes included', () => {
    expect(jsonNestsDeeperThan('[[1]]', 2)).toBe(false);
    expect(jsonNestsDeeperThan('[[[1]]]', 2)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":"[[[[\\"[[[["}', 2)).toBe(false);
    expect(jsonNestsDeeperThan('[1],[2],[3]', 1)).toBe(false);
  });

  it('turns unstorable text into a 400 bad_request naming the field', () => {
    const err = unsafeTextError({ label: 'a\u0000' });
    expect(err?.code).toBe('bad_request');
    expect(err?.status).toBe(400);
    expect(err?.details).toEqual([{ field: 'label', reason: 'label must not contain NUL (\\u0000)' }]);
    expect(unsafeTextError({ label: 'fine' })).toBeUndefined();
  });
});
