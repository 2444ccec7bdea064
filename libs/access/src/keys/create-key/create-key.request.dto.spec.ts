import { SCOPES } from '@herald/contracts';
import { ApiCaller, createValidationPipe, DomainError } from '@herald/platform';
import { CreateApiKeyRequestDto } from './create-key.request.dto';
import { toKeyInput } from './create-key.handler';

const pipe = createValidationPipe();
const parse = (body: unknown): Promise<CreateApiKeyRequestDto> =>
  pipe.transform(body, { type: 'body', metatype: CreateApiKeyRequestDto }) as Promise<CreateApiKeyRequestDto>;

async function refusal(body: unknown): Promise<{ code: string; details: unknown }> {
  try {
    await parse(body);
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected the body to be refused');
}

const ok = { label: 'crm sync', scopes: ['events:read'] };

describe('POST /api/v1/keys body', () => {
  it('admits a minimal and a full body', async () => {
    await expect(parse(ok)).resolves.toEqual(ok);
    const full = {
      ...ok,
      scopes: [...SCOPES],
      mode: 'test',
      expires_at: '2030-01-31T00:00:00.123456+02:00',
      rate_limit_per_minute: 60,
      daily_quota: 2_147_483_647,
    };
    await expect(parse(full)).resolves.toEqual(full);
  });

  it.each([
    [{ scopes: ['events:read'] }, 'label'],
    [{ ...ok, label: '' }, 'label'],
    [{ ...ok, label: '   ' }, 'label'],
    [{ ...ok, label: 'x'.repeat(101) }, 'label'],
    [{ ...ok, label: 'line\nbreak' }, 'label'],
    [{ ...ok, label: 'tab\there' }, 'label'],
    [{ ...ok, label: 7 }, 'label'],
    [{ label: 'x' }, 'scopes'],
    [{ ...ok, scopes: [] }, 'scopes'],
    [{ ...ok, scopes: 'events:read' }, 'scopes'],
    [{ ...ok, scopes: ['events:write'] }, 'scopes'],
    [{ ...ok, scopes: [' events:read'] }, 'scopes'],
    [{ ...ok, mode: 'prod' }, 'mode'],
    [{ ...ok, expires_at: '2030-01-31' }, 'expires_at'],
    [{ ...ok, expires_at: '2030-02-30T00:00:00Z' }, 'expires_at'],
    [{ ...ok, expires_at: 1893456000 }, 'expires_at'],
    [{ ...ok, rate_limit_per_minute: 0 }, 'rate_limit_per_minute'],
    [{ ...ok, rate_limit_per_minute: 1.5 }, 'rate_limit_per_minute'],
    [{ ...ok, rate_limit_per_minute: '60' }, 'rate_limit_per_minute'],
    [{ ...ok, daily_quota: 2_147_483_648 }, 'daily_quota'],
    [{ ...ok, daily_quota: -1 }, 'daily_quota'],
    [{ ...ok, key: 'mc_live_mine' }, 'key'],
  ])('refuses %j as 400 bad_request naming %s', async (body, field) => {
    const { code, details } = await refusal(body);
    expect(code).toBe('bad_request');
    expect((details as Array<{ field: string }>).map((d) => d.field)).toContain(field);
  });

  it('becomes the repository input of the calling key, the actor named after it', async () => {
    const caller: ApiCaller = {
      tenant: 'support',
      keyId: 'key_01ABC',
      actor: 'key:key_01ABC',
      scopes: ['keys:manage'],
    };
    const body = await parse({ ...ok, expires_at: '2030-01-31T00:00:00Z', daily_quota: 10 });
    expect(toKeyInput(caller, body)).toEqual({
      tenant: 'support',
      scopes: ['events:read'],
      mode: undefined,
      label: 'crm sync',
      expiresAt: new Date('2030-01-31T00:00:00Z'),
      rateLimitPerMinute: undefined,
      dailyQuota: 10,
      actor: 'key:key_01ABC',
    });
  });
});
