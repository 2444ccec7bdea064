/**
 * `herald clients create|list|revoke` as an operator runs them: the real binary against the
 * run's database, the documented JSON (`{"client_id", "client_secret"}` on create), a secret
 * that works at the token endpoint and is stored only hashed, one-line errors, the audit
 * trail, and a revocation after which the client's token is refused.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { basic, form, tokenRequest } from '../support/oauth';
import { cleanEnv, runHeraldAsync } from '../support/herald-process';
import { testDatabaseUrl, uniqueName } from '../support/infra';

describe('herald clients', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  const tenant = uniqueName('cli-oauth');
  const herald = (...args: string[]) => runHeraldAsync(['clients', ...args], env);

  const token = (clientId: string, secret: string): Promise<ApiResponse> =>
    tokenRequest(t, tenant, form({ grant_type: 'client_credentials' }), {
      authorization: basic(clientId, secret),
    });

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    await new TenantsRepository(t.ds).create(tenant);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-clients-'));
    env = cleanEnv({ DATABASE_URL: testDatabaseUrl(), HERALD_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, lists and revokes a client, its token refused once revoked', async () => {
    const res = await herald('create', '--tenant', tenant, '--scopes', 'events:read,users:read', '--json');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const created = JSON.parse(res.stdout);
    expect(Object.keys(created)).toEqual(['client_id', 'client_secret']);
    expect(created.client_id).toMatch(/^client_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(created.client_secret).toMatch(/^mc_cs_[A-Za-z0-9_-]{43}$/);
    const stored = await t.ds.query(`SELECT secret_hash, secret_prefix FROM oauth_clients WHERE id = $1`, [
      created.client_id,
    ]);
    expect(stored[0].secret_hash).toHaveLength(32);
    expect(created.client_secret.startsWith(stored[0].secret_prefix)).toBe(true);

    const issued = await token(created.client_id, created.client_secret);
    expect(issued.status).toBe(200);
    const accessToken: string = issued.body.access_token;
    const events = () => apiRequest(t.baseUrl, '/api/v1/events', { tenant, key: accessToken });
    expect((await events()).status).toBe(200);

    const list = await herald('list', '--tenant', tenant, '--json');
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        client_id: created.client_id,
        scopes: ['events:read', 'users:read'],
        status: 'active',
        revoked_at: null,
      }),
    ]);
    expect(list.stdout).not.toContain(created.client_secret);

    const revoked = await herald('revoke', created.client_id, '--tenant', tenant, '--json');
    expect(revoked.stderr).toBe('');
    expect(revoked.status).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({
      client_id: created.client_id,
      already_revoked: false,
      unconfirmed_gateways: 0,
    });
    const refused = await events();
    expect([refused.status, refused.body.error.code]).toEqual([401, 'invalid_token']);
    expect((await token(created.client_id, created.client_secret)).status).toBe(401);

    const again = await herald('revoke', created.client_id, '--tenant', tenant, '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ already_revoked: true });
    const listed = JSON.parse((await herald('list', '--tenant', tenant, '--json')).stdout);
    expect(listed[0]).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) });

    const audit = await t.ds.query(`SELECT actor, action FROM audit_log WHERE target_id = $1 ORDER BY id`, [
      created.client_id,
    ]);
    const actor = `cli:${os.userInfo().username}`;
    expect(audit).toEqual([
      { actor, action: 'oauth_client.created' },
      { actor, action: 'oauth_client.revoked' },
    ]);
  });

  it('prints the secret once in a human summary without --json', async () => {
    const res = await herald('create', '--tenant', tenant, '--scopes', 'events:read', '--label', 'etl');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/client_secret: mc_cs_[A-Za-z0-9_-]{43}/);
    expect(res.stdout).toContain('shown once');
    const human = await herald('list', '--tenant', tenant);
    expect(human.stdout).toMatch(/\tactive\tevents:read\tetl\t/);
  });

  it.each([
    [
      ['create', '--tenant', 'no-such-tenant', '--scopes', 'events:read'],
      /unknown or disabled tenant "no-such-tenant"/,
    ],
    [['create', '--tenant', tenant, '--scopes', 'events:write'], /unknown scope "events:write"/],
    [['create', '--tenant', tenant], /required option '--scopes <list>' not specified/],
    [
      ['revoke', 'client_01JG5K8HW2X4A8Q3M1T6KQ7BWP', '--tenant', tenant],
      /no OAuth client "client_01JG5K8HW2X4A8Q3M1T6KQ7BWP"/,
    ],
    [['list', '--tenant', 'no-such-tenant'], /unknown or disabled tenant "no-such-tenant"/],
  ])('fails %j with one line on stderr and a non-zero exit', async (args, message) => {
    const res = await herald(...args);
    expect(res.status).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(message);
  });
});
