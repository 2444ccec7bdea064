import { STORED_TYPES, typesMatching } from './event-type-filter';

describe('event type filter', () => {
  it('an exact type selects itself', () => {
    expect(typesMatching('post.created')).toEqual(['post.created']);
  });

  it('a prefix wildcard selects every stored type under the prefix, and only those', () => {
    expect(typesMatching('post.*')).toEqual(['post.created', 'post.edited', 'post.deleted']);
    expect(typesMatching('moderation.*')).toEqual(['moderation.user_banned', 'moderation.user_unbanned']);
    expect(typesMatching('user.*')).toEqual(['user.joined', 'user.updated']);
  });

  it.each([
    ['post.create'],
    ['post'],
    ['pos.*'],
    ['*'],
    ['.*'],
    ['post.*.*'],
    ['Post.created'],
    ['webhook.test'],
    ['webhook.*'],
    [''],
  ])('%j selects nothing', (filter) => {
    expect(typesMatching(filter)).toEqual([]);
  });

  it('never offers webhook.test, which the events read model never stores', () => {
    expect(STORED_TYPES).not.toContain('webhook.test');
    expect(STORED_TYPES.length).toBeGreaterThan(10);
  });
});
