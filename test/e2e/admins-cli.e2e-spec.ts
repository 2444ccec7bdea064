/**
 * `herald admins create|list|disable` as an operator runs them: the real binary against the
 * run's database, the documented JSON, a password read from stdin, one-line errors, the
 * audit trail, and a disable that ends the admin's live console sessions.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { cleanEnv, HERALD_BIN, REPO_ROOT, runHeraldAsync } from '../support/herald-process';
import { testDatabaseUrl, uniqueName } from '../support/infra';

describe('herald admins', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  const tenant = uniqueName('cli-adm');
  const herald = (...args: string[]) => runHeraldAsync(['admins', ...args], env);

  const login = (email: string, password: string) =>
    apiRequest(t.baseUrl, '/admin/api/session', { tenant, method: 'POST', body: { email, password } });

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    await new TenantsRepository(t.ds).create(tenant);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-admins-'));
    env = cleanEnv({ DATABASE_URL: testDatabaseUrl(), HERALD_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an admin with a generated password printed once as {"email", "password"}', async () => {
    const res = await herald('create', '--tenant', tenant, '--email', 'Ops@Example.com', '--json');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(Object.keys(out)).toEqual(['email', 'password']);
    expect(out.email).toBe('ops@example.com');
    expect(out.password).toMatch(/^[A-Za-z2-9]{24}$/);
    expect((await login('ops@example.com', out.password)).status).toBe(200);

    const audit = await t.ds.query(`SELECT actor, action, details FROM audit_log WHERE tenant = $1`, [
      tenant,
    ]);
    expect(audit).toContainEqual({
      actor: `cli:${os.userInfo().username}`,
      action: 'admin.created',
      details: { email: 'ops@example.com' },
    });
    expect(JSON.stringify(audit)).not.toContain(out.password);
  });

  it('reads the password from stdin with --password-stdin', async () => {
    const password = 'a long enough passphrase';
    const res = spawnSync(
      process.execPath,
      [
        HERALD_BIN,
        'admins',
        'create',
        '--tenant',
        tenant,
        '--email',
        'piped@example.com',
        '--password-stdin',
        '--json',
      ],
      { env, cwd: REPO_ROOT, encoding: 'utf8', input: `${password}\n`, timeout: 120_000 },
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ email: 'piped@example.com' });
    expect((await login('piped@example.com', password)).status).toBe(200);
  });

  it('lists admins without their passwords, and prints a human summary without --json', async () => {
    const res = await herald('list', '--tenant', tenant, '--json');
    expect(res.status).toBe(0);
    const list = JSON.parse(res.stdout);
    expect(list.map((a: { email: string }) => a.email)).toEqual(['ops@example.com', 'piped@example.com']);
    expect(list[0]).toMatchObject({ status: 'active', last_login_at: expect.any(String), disabled_at: null });
    expect(res.stdout).not.toMatch(/password|scrypt/);

    const human = await herald('create', '--tenant', tenant, '--email', 'human@example.com');
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('shown once');
    expect(human.stdout).toMatch(/password: [A-Za-z2-9]{24}/);
  });

  it('disables an admin, ending their sessions; a second disable is a no-op', async () => {
    const created = JSON.parse(
      (await herald('create', '--tenant', tenant, '--email', 'leaver@example.com', '--json')).stdout,
    );
    const session = await login('leaver@example.com', created.password);
    const cookie = String(session.headers['set-cookie']).split(';')[0]!;
    const check = () => apiRequest(t.baseUrl, '/admin/api/session', { tenant, headers: { cookie } });
    expect((await check()).status).toBe(200);

    const res = await herald('disable', '--tenant', tenant, '--email', 'leaver@example.com', '--json');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      email: 'leaver@example.com',
      status: 'disabled',
      already_disabled: false,
      revoked_sessions: 1,
    });
    expect((await check()).status).toBe(401);
    expect((await login('leaver@example.com', created.password)).status).toBe(401);

    const again = await herald('disable', '--tenant', tenant, '--email', 'leaver@example.com', '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ already_disabled: true, revoked_sessions: 0 });
  });

  it.each([
    [
      ['create', '--tenant', 'no-such-tenant', '--email', 'x@example.com'],
      /unknown or disabled tenant "no-such-tenant"/,
    ],
    [['create', '--tenant', tenant, '--email', 'not-an-email'], /"not-an-email" is not an email address/],
    [['create', '--tenant', tenant, '--email', 'ops@example.com'], /already has an admin ops@example.com/],
    [
      ['disable', '--tenant', tenant, '--email', 'nobody@example.com'],
      /no admin nobody@example.com in tenant/,
    ],
    [['create', '--tenant', tenant], /required option '--email <email>' not specified/],
  ])('fails %j with one line on stderr and a non-zero exit', async (args, message) => {
    const res = await herald(...args);
    expect(res.status).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(message);
  });

  it('refuses a short password from stdin', async () => {
    const res = spawnSync(
      process.execPath,
      [
        HERALD_BIN,
        'admins',
        'create',
        '--tenant',
        tenant,
        '--email',
        'short@example.com',
        '--password-stdin',
      ],
      { env, cwd: REPO_ROOT, encoding: 'utf8', input: 'short\n', timeout: 120_000 },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toBe('herald: the password must be at least 12 characters long\n');
  });
});
