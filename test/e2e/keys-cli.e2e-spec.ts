/**
 * `herald keys create|list|revoke` as an operator runs them: the real binary against
 * the run's database, machine output with --json, one-line errors, the audit trail,
 * and a revocation that a running gateway honours on the next request.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { PublicApi, RequireScopes, TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { cleanEnv, runHerald, startHerald } from '../support/herald-process';
import { testDatabaseUrl, uniqueName } from '../support/infra';

@PublicApi()
@Controller('api/v1/cli-probe')
class CliProbeController {
  @Get()
  @RequireScopes('events:read')
  probe(): string {
    return 'ok';
  }
}

@Module({ controllers: [CliProbeController] })
class CliProbeModule {}

describe('herald keys', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  const tenant = uniqueName('cli');
  const herald = (...args: string[]) => runHerald(['keys', ...args], env);

  beforeAll(async () => {
    t = await startTestApp([GatewayModule, CliProbeModule]);
    await new TenantsRepository(t.ds).create(tenant);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-keys-'));
    env = cleanEnv({ DATABASE_URL: testDatabaseUrl(), HERALD_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a key, prints it once as the documented JSON, and the gateway accepts it', async () => {
    const res = herald('create', '--tenant', tenant, '--scopes', 'events:read,posts:read', '--json');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(Object.keys(out).slice(0, 4)).toEqual(['id', 'key', 'prefix', 'scopes']);
    expect(out).toMatchObject({
      id: expect.stringMatching(/^key_[0-9A-HJKMNP-TV-Z]{26}$/),
      key: expect.stringMatching(/^mc_live_[A-Za-z0-9_-]{43}$/),
      scopes: ['events:read', 'posts:read'],
      tenant,
      mode: 'live',
    });
    expect(out.key.startsWith(out.prefix)).toBe(true);
    const served = await apiRequest(t.baseUrl, '/api/v1/cli-probe', { tenant, key: out.key });
    expect(served.status).toBe(200);

    const audit = await t.ds.query(`SELECT actor, action FROM audit_log WHERE target_id = $1`, [out.id]);
    expect(audit).toEqual([{ actor: `cli:${os.userInfo().username}`, action: 'api_key.created' }]);
  });

  it('takes mode, label, expiry and limits, and prints a human summary without --json', () => {
    const expires = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const res = herald(
      'create',
      '--tenant',
      tenant,
      '--scopes',
      'webhooks:read',
      '--mode',
      'test',
      '--label',
      'zapier',
      '--expires',
      expires,
      '--rate-limit',
      '30',
      '--daily-quota',
      '1000',
    );
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(
      /^created test key key_\w{26} for tenant .* \(scopes: webhooks:read\)\n {2}key: mc_test_/,
    );
    expect(res.stdout).toContain('shown once');
    const list = JSON.parse(herald('list', '--tenant', tenant, '--json').stdout) as Array<
      Record<string, unknown>
    >;
    expect(list.find((k) => k.label === 'zapier')).toMatchObject({
      mode: 'test',
      scopes: ['webhooks:read'],
      status: 'active',
      expires_at: expires,
      rate_limit_per_minute: 30,
      daily_quota: 1000,
    });
  });

  it.each([
    [
      ['--scopes', 'events:write'],
      'herald: unknown scope "events:write" (known: events:read, users:read, posts:read, webhooks:read, webhooks:manage, keys:read, keys:manage, audit:read, settings:read, settings:manage)\n',
    ],
    [
      ['--scopes', 'events:read', '--tenant', 'no-such-tenant'],
      'herald: unknown or disabled tenant "no-such-tenant"\n',
    ],
    [
      ['--scopes', 'events:read', '--expires', '2020-01-01T00:00:00Z'],
      'herald: expiry must be in the future (got 2020-01-01T00:00:00.000Z)\n',
    ],
    [
      ['--scopes', 'events:read', '--expires', 'tomorrow'],
      'herald: --expires must be an ISO 8601 time like 2027-01-31T00:00:00Z (got "tomorrow")\n',
    ],
    [
      ['--scopes', 'events:read', '--expires', '2027-02-30T00:00:00Z'],
      'herald: --expires must be an ISO 8601 time like 2027-01-31T00:00:00Z (got "2027-02-30T00:00:00Z")\n',
    ],
    [['--scopes', 'events:read', '--mode', 'prod'], 'herald: --mode must be live or test (got "prod")\n'],
    [
      ['--scopes', 'events:read', '--rate-limit', '0'],
      'herald: --rate-limit must be a positive whole number (got "0")\n',
    ],
  ])('refuses %j with one line on stderr and exit 1', (args, stderr) => {
    const tenantArgs = args.includes('--tenant') ? [] : ['--tenant', tenant];
    const res = herald('create', ...tenantArgs, ...args, '--json');
    expect(res.stderr).toBe(stderr);
    expect(res.stdout).toBe('');
    expect(res.status).toBe(1);
  });

  it('lists keys without ever showing a key or its hash', () => {
    const created = JSON.parse(
      herald('create', '--tenant', tenant, '--scopes', 'users:read', '--json').stdout,
    );
    const res = herald('list', '--tenant', tenant, '--json');
    expect(res.status).toBe(0);
    expect(res.stdout).not.toContain(created.key);
    const list = JSON.parse(res.stdout) as Array<Record<string, unknown>>;
    const mine = list.find((k) => k.id === created.id);
    expect(mine).toMatchObject({ prefix: created.prefix, status: 'active', last_used_at: null });
    expect(Object.keys(mine!)).not.toEqual(expect.arrayContaining(['key']));
    expect(Object.keys(mine!).some((k) => k.includes('hash'))).toBe(false);
    const human = herald('list', '--tenant', tenant);
    expect(human.stdout).toContain(created.id);
    expect(human.stdout).not.toContain(created.key);
  });

  it('revokes a key: the gateway refuses it on the next request; a second revoke is a no-op', async () => {
    const created = JSON.parse(
      herald('create', '--tenant', tenant, '--scopes', 'events:read', '--json').stdout,
    );
    expect((await apiRequest(t.baseUrl, '/api/v1/cli-probe', { tenant, key: created.key })).status).toBe(200);

    // Run without blocking this process: the gateway in it has to confirm the revocation.
    const revoking = startHerald(['keys', 'revoke', created.id, '--tenant', tenant, '--json'], env);
    expect(await revoking.waitForExit()).toBe(0);
    const out = JSON.parse(revoking.output());
    expect(out).toMatchObject({ id: created.id, already_revoked: false, unconfirmed_gateways: 0 });

    const refused = await apiRequest(t.baseUrl, '/api/v1/cli-probe', { tenant, key: created.key });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_api_key');

    const again = herald('revoke', created.id, '--tenant', tenant, '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ ...out, already_revoked: true });
    const audit = await t.ds.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`, [
      created.id,
    ]);
    expect(audit.map((r: { action: string }) => r.action)).toEqual(['api_key.created', 'api_key.revoked']);

    const unknown = herald('revoke', 'key_nope', '--tenant', tenant);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe(`herald: no API key "key_nope" in tenant "${tenant}"\n`);
  });
});
