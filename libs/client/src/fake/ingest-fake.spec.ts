import { HeraldApiError } from '../errors';
import { FakeHeraldIngest, HeraldFakeAssertionError } from './ingest-fake';
import type { AppendableEvent, InternalEvent } from './validate-event';

const post = (
  postId: number,
  overrides: Partial<InternalEvent> = {},
): InternalEvent<'forum.post.created'> => ({
  id: `0${String(postId).padStart(25, '0')}`,
  tenant: 'support',
  kind: 'forum.post.created',
  occurred_at: '2026-05-28T12:34:56.123456Z',
  data: {
    post_id: postId,
    thread_id: 1,
    forum_slug: 'general',
    title: `post ${postId}`,
    body: 'hello',
    author_id: 7,
    author_username: 'ada',
    ip: '203.0.113.1',
  },
  ...(overrides as object),
});

async function refusal(p: Promise<unknown>): Promise<HeraldApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof HeraldApiError)) throw new Error(`expected a HeraldApiError, got ${String(err)}`);
  return err;
}

describe('FakeHeraldIngest', () => {
  it('records a valid event and answers the ids Herald would', async () => {
    const herald = new FakeHeraldIngest();
    const result = await herald.append(post(42));
    expect(result.accepted).toBe(1);
    expect(result.events[0]!.id).toBe(post(42).id);
    expect(result.events[0]!.public_event_id).toMatch(/^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(herald.appended('forum.post.created').map((e) => e.data.post_id)).toEqual([42]);
    herald.assertAppended('forum.post.created', (e) => e.data.post_id === 42);
  });

  it('accepts internal-only kinds without a public event id', async () => {
    const herald = new FakeHeraldIngest();
    const result = await herald.append({ ...post(1), kind: 'forum.draft.saved', data: { draft_id: 3 } });
    expect(result.events[0]!.public_event_id).toBeNull();
    herald.assertAppended('forum.draft.saved');
  });

  it('refuses the whole call with each bad index and reason, appending nothing', async () => {
    const herald = new FakeHeraldIngest();
    const { author_id: _gone, ...noAuthor } = post(2).data;
    // Typed callers cannot write these (the compiler refuses both); untyped ones can.
    // @ts-expect-error -- data lacks author_id
    const missingField: AppendableEvent = { ...post(2), data: noAuthor };
    // @ts-expect-error -- no such kind
    const unknownKind: AppendableEvent = { ...post(3), kind: 'forum.post.exploded' };
    const err = await refusal(herald.append([post(1), missingField, unknownKind]));
    expect([err.status, err.code]).toEqual([400, 'invalid_events']);
    expect(err.details).toEqual([
      { index: 1, reason: 'data.author_id is required' },
      { index: 2, reason: 'unknown kind "forum.post.exploded"' },
    ]);
    herald.assertNothingAppended();
  });

  it('refuses tenants it was not told about, when told about some', async () => {
    const herald = new FakeHeraldIngest({ tenants: ['support'] });
    const err = await refusal(herald.append(post(1, { tenant: 'other' })));
    expect(err.problems).toEqual([{ index: 0, reason: 'unknown tenant "other"' }]);
  });

  it('refuses a body nested deeper than the HTTP layer takes, before looking at events', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 64; i++) deep = [deep];
    const err = await refusal(new FakeHeraldIngest().append({ ...post(1), data: { ...post(1).data, deep } }));
    expect([err.status, err.code, err.message]).toEqual([
      400,
      'invalid_json',
      'the body nests deeper than 64 levels',
    ]);
  });

  it('refuses an empty call', async () => {
    const err = await refusal(new FakeHeraldIngest().append([]));
    expect([err.code, err.message]).toEqual(['invalid_events', 'no events given']);
  });

  it('fails assertions with a message naming what was appended', async () => {
    const herald = new FakeHeraldIngest();
    expect(() => herald.assertAppended('forum.post.created')).toThrow(
      new HeraldFakeAssertionError(
        'expected an event of kind forum.post.created to be appended; nothing was appended',
      ),
    );
    await herald.append(post(7));
    expect(() => herald.assertAppended('forum.post.created', (e) => e.data.post_id === 8)).toThrow(
      /matching the predicate to be appended; 1 of that kind were, none matching:\n {2}- forum\.post\.created \{"post_id":7,/,
    );
    expect(() => herald.assertAppended('help.ticket.opened')).toThrow(
      /expected an event of kind help\.ticket\.opened to be appended; 1 event\(s\) were:\n {2}- forum\.post\.created/,
    );
    expect(() => herald.assertNothingAppended()).toThrow(
      /expected nothing to be appended; 1 event\(s\) were/,
    );
    expect(() => herald.assertNotAppended('forum.post.created')).toThrow(
      /expected no event of kind forum\.post\.created/,
    );
    herald.reset();
    herald.assertNothingAppended();
    expect(herald.appended()).toEqual([]);
  });
});
