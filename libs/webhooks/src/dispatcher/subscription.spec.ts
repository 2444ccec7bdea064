import { passesFilters, recipients, Subscriber, subscribesTo, valueAt } from './subscription';

describe('subscriptions', () => {
  it.each([
    [['post.created'], 'post.created', true],
    [['post.created'], 'post.updated', false],
    [['post.*'], 'post.updated', true],
    [['post.*'], 'postal.created', false],
    [['post.*'], 'user.created', false],
    [['*'], 'ticket.replied', true],
    [['user.created', 'post.*'], 'post.deleted', true],
  ])('%j subscribes to %s: %s', (patterns, type, expected) => {
    expect(subscribesTo(patterns, type)).toBe(expected);
  });

  it('reads dotted paths and refuses to walk through scalars or arrays', () => {
    const body = { data: { status: 'published', author: { id: 'u1' }, tags: ['a'] } };
    expect(valueAt(body, 'data.status')).toBe('published');
    expect(valueAt(body, 'data.author.id')).toBe('u1');
    expect(valueAt(body, 'data.status.length')).toBeUndefined();
    expect(valueAt(body, 'data.tags.0')).toBeUndefined();
    expect(valueAt(body, 'data.missing')).toBeUndefined();
  });

  it('requires every filter to match exactly (no type coercion)', () => {
    const body = { data: { status: 'published', count: 1, flag: false } };
    expect(passesFilters({ 'data.status': 'published', 'data.count': 1 }, body)).toBe(true);
    expect(passesFilters({ 'data.status': 'draft' }, body)).toBe(false);
    expect(passesFilters({ 'data.count': '1' }, body)).toBe(false);
    expect(passesFilters({ 'data.flag': false }, body)).toBe(true);
    expect(passesFilters({ 'data.absent': null }, body)).toBe(false);
  });

  const at = (iso: string) => new Date(iso);
  const subs: Subscriber[] = [
    { id: 'ep_a', events: ['post.*'], filters: {}, createdAt: at('2026-01-01T00:00:00Z') },
    {
      id: 'ep_b',
      events: ['*'],
      filters: { 'data.status': 'published' },
      createdAt: at('2026-01-01T00:00:00Z'),
    },
    { id: 'ep_late', events: ['*'], filters: {}, createdAt: at('2026-06-01T00:00:00Z') },
  ];

  it('routes an event to the endpoints that subscribe, pass the filters and existed when it happened', () => {
    const event = {
      type: 'post.created',
      createdAt: '2026-03-01T00:00:00.000000Z',
      body: { type: 'post.created', data: { status: 'draft' } },
    };
    expect(recipients(event, subs).map((s) => s.id)).toEqual(['ep_a']);
    const published = { ...event, body: { data: { status: 'published' } } };
    expect(recipients(published, subs).map((s) => s.id)).toEqual(['ep_a', 'ep_b']);
    const later = { ...published, createdAt: '2026-07-01T00:00:00.000000Z' };
    expect(recipients(later, subs).map((s) => s.id)).toEqual(['ep_a', 'ep_b', 'ep_late']);
  });

  it('sends webhook.test only to the endpoint named in its data, whatever it subscribes to', () => {
    const event = {
      type: 'webhook.test',
      createdAt: '2026-03-01T00:00:00.000000Z',
      body: { type: 'webhook.test', data: { endpoint_id: 'ep_late', message: 'hi' } },
    };
    expect(recipients(event, subs).map((s) => s.id)).toEqual(['ep_late']);
  });
});
