import { PUBLIC_TYPES } from '@herald/contracts';
import {
  checkEvents,
  checkFilters,
  MAX_FILTERS,
  subscribedTypes,
  typesSelectedBy,
} from './subscription-rules';

describe('subscription rules', () => {
  describe('event patterns', () => {
    it('an exact public type selects itself, webhook.test included', () => {
      expect(typesSelectedBy('post.created')).toEqual(['post.created']);
      expect(typesSelectedBy('webhook.test')).toEqual(['webhook.test']);
    });

    it('a prefix wildcard selects every type under the prefix, and only those', () => {
      expect(typesSelectedBy('post.*')).toEqual(['post.created', 'post.edited', 'post.deleted']);
      expect(typesSelectedBy('moderation.*')).toEqual(['moderation.user_banned', 'moderation.user_unbanned']);
    });

    it('* selects every public type', () => {
      expect(typesSelectedBy('*')).toEqual([...PUBLIC_TYPES]);
    });

    it.each([
      ['post.create'],
      ['post'],
      ['pos.*'],
      ['post.created.*'],
      ['Post.created'],
      ['.*'],
      ['**'],
      [''],
    ])('%j selects nothing', (pattern) => {
      expect(typesSelectedBy(pattern)).toEqual([]);
    });

    it('reports each pattern that selects nothing with its index, and an empty list', () => {
      expect(checkEvents(['post.*', 'post.craeted', 'user.joined', 'nope.*'])).toEqual({
        events: ['post.*', 'post.craeted', 'user.joined', 'nope.*'],
        problems: [
          {
            field: 'events[1]',
            reason: expect.stringContaining('"post.craeted" is not a public event type'),
          },
          { field: 'events[3]', reason: expect.stringContaining('"nope.*"') },
        ],
      });
      expect(checkEvents([]).problems).toEqual([
        { field: 'events', reason: expect.stringContaining('at least one') },
      ]);
    });

    it('drops repeated patterns, keeping the first', () => {
      expect(checkEvents(['post.*', 'user.joined', 'post.*'])).toEqual({
        events: ['post.*', 'user.joined'],
        problems: [],
      });
    });

    it('unions the types the patterns select', () => {
      expect(subscribedTypes(['post.*', 'post.created', 'user.joined'])).toEqual([
        'post.created',
        'post.edited',
        'post.deleted',
        'user.joined',
      ]);
    });
  });

  describe('filters', () => {
    it('accepts a path to a scalar of some subscribed type, with a scalar value', () => {
      expect(checkFilters({ 'data.forum_slug': 'general' }, ['post.created'])).toEqual([]);
      expect(checkFilters({ 'data.author.id': 7, 'data.title': 'x' }, ['post.created'])).toEqual([]);
      expect(checkFilters({ 'data.to': 'resolved' }, subscribedTypes(['ticket.*']))).toEqual([]);
      expect(checkFilters({ 'data.until': null }, ['moderation.user_banned'])).toEqual([]);
      expect(checkFilters({ 'data.score': 0.5 }, ['enrollment.completed'])).toEqual([]);
      expect(checkFilters({ type: 'post.created' }, ['post.created'])).toEqual([]);
    });

    it('a path of one subscribed type is enough', () => {
      expect(checkFilters({ 'data.forum_slug': 'general' }, ['user.joined', 'post.created'])).toEqual([]);
    });

    it('refuses a path no subscribed type has, or one that ends on an object', () => {
      expect(checkFilters({ 'data.status': 'published' }, ['post.created'])).toEqual([
        {
          field: 'filters.data.status',
          reason: expect.stringContaining('no subscribed event type has a field'),
        },
      ]);
      expect(checkFilters({ 'data.forum_slug': 'x' }, ['user.joined'])).toHaveLength(1);
      expect(checkFilters({ 'data.author': 'x' }, ['post.created'])).toHaveLength(1);
      expect(checkFilters({ data: 'x' }, ['post.created'])).toHaveLength(1);
      expect(checkFilters({ 'data..title': 'x' }, ['post.created'])).toHaveLength(1);
      expect(checkFilters({ '': 'x' }, ['post.created'])).toHaveLength(1);
      expect(checkFilters({ 'data.title.length': 1 }, ['post.created'])).toHaveLength(1);
      expect(checkFilters({ 'data.constructor': 1 }, ['post.created'])).toHaveLength(1);
    });

    it('refuses values that are not scalars', () => {
      const problems = checkFilters(
        { 'data.title': { a: 1 } as never, 'data.forum_slug': [1] as never, 'data.thread_id': Infinity },
        ['post.created'],
      );
      expect(problems.map((p) => p.field)).toEqual([
        'filters.data.title',
        'filters.data.forum_slug',
        'filters.data.thread_id',
      ]);
    });

    it('limits how many filters there are', () => {
      const many = Object.fromEntries(Array.from({ length: MAX_FILTERS + 1 }, (_, i) => [`data.x${i}`, 1]));
      expect(checkFilters(many, ['post.created'])[0]).toEqual({
        field: 'filters',
        reason: expect.any(String),
      });
    });
  });
});
