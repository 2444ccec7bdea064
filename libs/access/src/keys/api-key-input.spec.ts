import { ApiKeyInputError } from './api-key';
import { validateKeyInput } from './api-key-input';

const base = { tenant: 'support', scopes: ['events:read'], actor: 'test' };
const now = new Date('2026-05-28T12:00:00Z');

function reason(input: Parameters<typeof validateKeyInput>[0]): string {
  try {
    validateKeyInput(input, now);
  } catch (err) {
    if (err instanceof ApiKeyInputError) return err.message;
    throw err;
  }
  throw new Error('expected an ApiKeyInputError');
}

describe('validateKeyInput', () => {
  it('normalises scopes and fills defaults', () => {
    const v = validateKeyInput({ ...base, scopes: [' events:read', 'posts:read', 'events:read'] }, now);
    expect(v).toEqual({
      scopes: ['events:read', 'posts:read'],
      mode: 'live',
      label: null,
      expiresAt: null,
      rateLimitPerMinute: null,
      dailyQuota: null,
    });
  });

  it.each([
    [{ scopes: ['events:write'] }, 'unknown scope "events:write" (known: events:read, users:read'],
    [{ scopes: [] }, 'scopes must be a comma-separated list of: events:read'],
    [{ scopes: ['events:read', ''] }, 'scopes must be a comma-separated list'],
    [
      { expiresAt: new Date('2026-05-28T11:59:59Z') },
      'expiry must be in the future (got 2026-05-28T11:59:59.000Z)',
    ],
    [{ expiresAt: new Date('nope') }, 'expiry is not a valid time'],
    [{ rateLimitPerMinute: 0 }, 'rate limit per minute must be a whole number between 1 and'],
    [{ dailyQuota: 1.5 }, 'daily quota must be a whole number'],
    [{ label: 'x'.repeat(101) }, 'label must be at most 100 printable characters'],
    [{ label: 'bad\nlabel' }, 'label must be at most 100 printable characters'],
  ])('refuses %j with one line', (patch, expected) => {
    const msg = reason({ ...base, ...patch });
    expect(msg).toContain(expected);
    expect(msg).not.toContain('\n');
  });
});

describe('validateKeyInput field names', () => {
  it.each([
    [{ scopes: ['events:write'] }, 'scopes'],
    [{ mode: 'prod' as never }, 'mode'],
    [{ label: 'a\tb' }, 'label'],
    [{ expiresAt: new Date('2026-05-28T11:00:00Z') }, 'expires_at'],
    [{ rateLimitPerMinute: -1 }, 'rate_limit_per_minute'],
    [{ dailyQuota: 2 ** 31 }, 'daily_quota'],
  ])('names the API field of %j', (patch, field) => {
    expect(() => validateKeyInput({ ...base, ...patch }, now)).toThrow(
      expect.objectContaining({ field }) as Error,
    );
  });
});
