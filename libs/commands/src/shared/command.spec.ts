import { InternalEvent, parseRfc3339, PUBLIC_TIME_PATTERN } from '@herald/contracts';
import { DomainError } from '@herald/platform';
import { EventAppender, UnknownTenantError } from '../append/event-appender';
import { BanUserHandler } from '../moderation/ban-user/ban-user.handler';
import { internalEventOf, rfc3339Micros } from './command';
import { isRfc3339Time } from '@herald/platform';

describe('internalEventOf', () => {
  const now = new Date('2026-05-28T12:34:56.789Z');

  it('mints a ULID carrying the time, and now with six fractional digits, when none is given', () => {
    const e = internalEventOf('forum.post.deleted', { tenant: 'support' }, { post_id: 1 }, now);
    expect(e.id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(e.id.slice(0, 10)).toBe(internalEventOf('x', { tenant: 't' }, {}, now).id.slice(0, 10));
    expect(e.occurred_at).toBe('2026-05-28T12:34:56.789000Z');
    expect(e).toMatchObject({ tenant: 'support', kind: 'forum.post.deleted', data: { post_id: 1 } });
  });

  it('keeps the caller’s event_id and occurred_at', () => {
    const e = internalEventOf(
      'k',
      {
        tenant: 't',
        event_id: '0190a6a0-0000-7000-8000-000000000001',
        occurred_at: '2026-01-01T00:00:00+02:00',
      },
      {},
      now,
    );
    expect(e.id).toBe('0190a6a0-0000-7000-8000-000000000001');
    expect(e.occurred_at).toBe('2026-01-01T00:00:00+02:00');
  });

  it('formats now as the public time format', () => {
    expect(rfc3339Micros(new Date())).toMatch(new RegExp(PUBLIC_TIME_PATTERN));
    expect(rfc3339Micros(new Date(0))).toBe('1970-01-01T00:00:00.000000Z');
  });
});

describe('isRfc3339Time', () => {
  it.each(['2026-05-28T12:34:56Z', '2026-05-28T12:34:56.123456Z', '2026-05-28T12:34:56.1+05:30'])(
    'accepts %s',
    (t) => {
      expect(isRfc3339Time(t)).toBe(true);
      expect(parseRfc3339(t)).toBeDefined();
    },
  );
  it.each([
    '2026-02-31T00:00:00Z',
    '2026-05-28 12:34:56Z',
    '2026-05-28T12:34:56z',
    '2026-05-28',
    'yesterday',
    12,
    null,
  ])('rejects %j', (t) => expect(isRfc3339Time(t)).toBe(false));
});

describe('CommandHandler', () => {
  const command = { tenant: 'nowhere', user_id: 1, moderator_id: 2, reason: 'spam', until: null };

  function handlerThrowing(err: unknown): BanUserHandler {
    return new BanUserHandler({
      append: async (_events: readonly InternalEvent[]) => {
        throw err;
      },
    } as unknown as EventAppender);
  }

  it('turns the appender’s unknown tenant into 404 tenant_not_found', async () => {
    const err = new UnknownTenantError('1 of 1 events are invalid', [
      { index: 0, reason: 'unknown tenant "nowhere"' },
    ]);
    await expect(handlerThrowing(err).execute(command)).rejects.toMatchObject({
      code: 'tenant_not_found',
      status: 404,
    });
  });

  it('passes any other error through', async () => {
    const err = new DomainError('invalid_events', 'bad', 400, [
      { index: 0, reason: 'data.until has an invalid format' },
    ]);
    await expect(handlerThrowing(err).execute(command)).rejects.toBe(err);
  });
});
