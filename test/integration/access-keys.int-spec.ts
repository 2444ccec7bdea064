/**
 * API keys against real Postgres: creation with its audit row, listing without hashes,
 * revocation (audited, idempotent), lookups confined to one tenant, row-level security
 * on the key table, and an audit log that nobody, the owner included, can rewrite.
 */
import { ApiKeyInputError, ApiKeysRepository, hashApiKey, mintDemoKey } from '@herald/access';
import { TenantsRepository, withTenant } from '@herald/platform';
import type { DataSource } from 'typeorm';
import { migratedDataSource, uniqueName } from '../support/infra';

describe('ApiKeysRepository', () => {
  let ds: DataSource;
  let repo: ApiKeysRepository;
  const a = uniqueName('keys-a');
  const b = uniqueName('keys-b');

  beforeAll(async () => {
    ds = await migratedDataSource();
    repo = new ApiKeysRepository(ds);
    const tenants = new TenantsRepository(ds);
    await tenants.create(a);
    await tenants.create(b);
  });
  afterAll(async () => {
    await ds.destroy();
  });

  it('creates a key with a ULID id, stores only its hash, and audits it in the same transaction', async () => {
    const expires = new Date(Date.now() + 86_400_000);
    const key = await repo.create({
      tenant: a,
      scopes: ['events:read', 'posts:read'],
      mode: 'test',
      label: 'zapier',
      expiresAt: expires,
      rateLimitPerMinute: 120,
      dailyQuota: 5000,
      actor: 'cli:alice',
    });
    expect(key.id).toMatch(/^key_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(key.key).toMatch(/^mc_test_[A-Za-z0-9_-]{43}$/);
    expect(key.key.startsWith(key.prefix)).toBe(true);
    expect(key).toMatchObject({
      tenant: a,
      mode: 'test',
      label: 'zapier',
      scopes: ['events:read', 'posts:read'],
      rateLimitPerMinute: 120,
      dailyQuota: 5000,
      createdBy: 'cli:alice',
      revokedAt: null,
    });
    expect(key.expiresAt?.getTime()).toBe(expires.getTime());

    const [stored] = await ds.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [key.id]);
    expect((stored.key_hash as Buffer).equals(hashApiKey(key.key))).toBe(true);
    const rows = JSON.stringify(await ds.query(`SELECT * FROM api_keys WHERE id = $1`, [key.id]));
    expect(rows).not.toContain(key.key);

    const audit = await ds.query(
      `SELECT tenant, actor, action, target_type, target_id, details FROM audit_log WHERE target_id = $1`,
      [key.id],
    );
    expect(audit).toEqual([
      {
        tenant: a,
        actor: 'cli:alice',
        action: 'api_key.created',
        target_type: 'api_key',
        target_id: key.id,
        details: {
          label: 'zapier',
          mode: 'test',
          prefix: key.prefix,
          scopes: ['events:read', 'posts:read'],
          expires_at: expires.toISOString(),
          rate_limit_per_minute: 120,
          daily_quota: 5000,
        },
      },
    ]);
    expect(JSON.stringify(audit)).not.toContain(key.key.slice(key.prefix.length));
  });

  it.each([
    [{ scopes: ['events:write'] }, 'unknown scope "events:write"'],
    [{ expiresAt: new Date(Date.now() - 1000) }, 'expiry must be in the future'],
    [{ tenant: 'no-such-tenant' }, 'unknown or disabled tenant "no-such-tenant"'],
    [{ tenant: 'Not A Slug' }, 'unknown or disabled tenant "Not A Slug"'],
  ])('refuses %j and writes nothing', async (patch, message) => {
    const before = await ds.query(`SELECT count(*)::int AS n FROM api_keys`);
    await expect(repo.create({ tenant: a, scopes: ['events:read'], actor: 't', ...patch })).rejects.toThrow(
      message,
    );
    await expect(
      repo.create({ tenant: a, scopes: ['events:read'], actor: 't', ...patch }),
    ).rejects.toBeInstanceOf(ApiKeyInputError);
    expect(await ds.query(`SELECT count(*)::int AS n FROM api_keys`)).toEqual(before);
  });

  it('lists the keys of one tenant, never a hash or a key', async () => {
    const mine = await repo.create({ tenant: b, scopes: ['users:read'], actor: 't' });
    const list = await repo.list(b);
    expect(list.map((k) => k.id)).toEqual([mine.id]);
    expect(Object.keys(list[0]!)).not.toContain('key');
    expect(Object.keys(list[0]!)).not.toContain('keyHash');
    expect(JSON.stringify(list)).not.toContain(mine.key);
  });

  it('revokes with an audit row; revoking again changes and audits nothing', async () => {
    const key = await repo.create({ tenant: a, scopes: ['events:read'], actor: 't' });
    const first = await repo.revoke(a, key.id, 'cli:bob');
    expect(first.alreadyRevoked).toBe(false);
    const again = await repo.revoke(a, key.id, 'cli:bob');
    expect(again).toEqual({
      id: key.id,
      revokedAt: first.revokedAt,
      alreadyRevoked: true,
      unconfirmedGateways: 0,
    });
    const audit = await ds.query(`SELECT actor, action FROM audit_log WHERE target_id = $1 ORDER BY id`, [
      key.id,
    ]);
    expect(audit).toEqual([
      { actor: 't', action: 'api_key.created' },
      { actor: 'cli:bob', action: 'api_key.revoked' },
    ]);
    await expect(repo.revoke(b, key.id, 'cli:bob')).rejects.toThrow(
      `no API key "${key.id}" in tenant "${b}"`,
    );
    await expect(repo.revoke('no-such-tenant', key.id, 'x')).rejects.toThrow('unknown or disabled tenant');
  });

  it('finds a key by hash within its tenant only', async () => {
    const key = await repo.create({ tenant: a, scopes: ['events:read'], actor: 't' });
    const found = await repo.findByHash(a, hashApiKey(key.key));
    expect(found).toMatchObject({ tenantEnabled: true, key: { id: key.id, tenant: a, revoked: false } });
    expect(await repo.findByHash(b, hashApiKey(key.key))).toEqual({ tenantEnabled: true, key: null });
    expect(await repo.findByHash('no-such-tenant', hashApiKey(key.key))).toEqual({ tenantEnabled: false });
  });

  it('folds the tenant limits into a key without its own', async () => {
    await ds.query(
      `UPDATE tenant_settings SET rate_limit_per_minute = 42, daily_quota = 7 WHERE tenant = $1`,
      [b],
    );
    const plain = await repo.create({ tenant: b, scopes: ['events:read'], actor: 't' });
    const own = await repo.create({
      tenant: b,
      scopes: ['events:read'],
      actor: 't',
      rateLimitPerMinute: 5,
      dailyQuota: 9,
    });
    expect(await repo.findByHash(b, hashApiKey(plain.key))).toMatchObject({
      key: { ratePerMinute: 42, dailyQuota: 7 },
    });
    expect(await repo.findByHash(b, hashApiKey(own.key))).toMatchObject({
      key: { ratePerMinute: 5, dailyQuota: 9 },
    });
  });

  it('keeps one live demo key: each mint revokes the previous one, audited', async () => {
    const first = await mintDemoKey(repo, b);
    const second = await mintDemoKey(repo, b);
    expect(second.revoked).toEqual([first.key.id]);
    expect(second.key).toMatchObject({
      mode: 'test',
      label: 'demo',
      scopes: ['events:read', 'users:read', 'posts:read', 'webhooks:read'],
    });
    const live = (await repo.list(b)).filter((k) => k.label === 'demo' && !k.revokedAt);
    expect(live.map((k) => k.id)).toEqual([second.key.id]);
    const [audit] = await ds.query(
      `SELECT actor, details FROM audit_log WHERE target_id = $1 AND action = 'api_key.revoked'`,
      [first.key.id],
    );
    expect(audit).toEqual({ actor: 'herald dev', details: { reason: 'replaced by a new demo key' } });
  });
});

describe('api_keys row-level security', () => {
  let ds: DataSource;
  const a = uniqueName('rls-a');
  const b = uniqueName('rls-b');

  beforeAll(async () => {
    ds = await migratedDataSource();
    const tenants = new TenantsRepository(ds);
    await tenants.create(a);
    await tenants.create(b);
    const repo = new ApiKeysRepository(ds);
    await repo.create({ tenant: a, scopes: ['events:read'], actor: 't' });
    await repo.create({ tenant: b, scopes: ['events:read'], actor: 't' });
  });
  afterAll(async () => {
    await ds.destroy();
  });

  it("a herald_app transaction of tenant A sees none of B's keys, audit rows or usage, whatever it asks", async () => {
    const keys = await withTenant(ds, a, (em) => em.query(`SELECT DISTINCT tenant FROM api_keys`));
    expect(keys).toEqual([{ tenant: a }]);
    const explicit = await withTenant(ds, a, (em) =>
      em.query(`SELECT id FROM api_keys WHERE tenant = $1`, [b]),
    );
    expect(explicit).toEqual([]);
    const audit = await withTenant(ds, a, (em) => em.query(`SELECT DISTINCT tenant FROM audit_log`));
    expect(audit).toEqual([{ tenant: a }]);
  });

  it('cannot revoke or insert keys of another tenant', async () => {
    const updated = await withTenant(ds, a, (em) =>
      em.query(`UPDATE api_keys SET revoked_at = now() WHERE tenant = $1 RETURNING id`, [b]),
    );
    expect(updated).toEqual([[], 0]);
    await expect(
      withTenant(ds, a, (em) =>
        em.query(
          `INSERT INTO api_keys (id, tenant, mode, prefix, key_hash, scopes)
           VALUES ('key_x', $1, 'live', 'mc_live_x', $2, ARRAY['events:read'])`,
          [b, Buffer.alloc(32)],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('sees nothing without a tenant set', async () => {
    const rows = await ds.transaction(async (em) => {
      await em.query('SET LOCAL ROLE herald_app');
      return em.query(`SELECT id FROM api_keys`);
    });
    expect(rows).toEqual([]);
  });
});

describe('audit_log', () => {
  let ds: DataSource;
  const tenant = uniqueName('audit');

  beforeAll(async () => {
    ds = await migratedDataSource();
    await new TenantsRepository(ds).create(tenant);
    await new ApiKeysRepository(ds).create({ tenant, scopes: ['events:read'], actor: 't' });
  });
  afterAll(async () => {
    await ds.destroy();
  });

  it('refuses UPDATE, DELETE and TRUNCATE even for the owner', async () => {
    const [row] = await ds.query(`SELECT id FROM audit_log WHERE tenant = $1`, [tenant]);
    expect(row).toBeDefined();
    await expect(ds.query(`UPDATE audit_log SET actor = 'mallory' WHERE id = $1`, [row.id])).rejects.toThrow(
      'audit_log is append-only (UPDATE refused)',
    );
    await expect(ds.query(`DELETE FROM audit_log WHERE id = $1`, [row.id])).rejects.toThrow(
      'audit_log is append-only (DELETE refused)',
    );
    await expect(ds.query(`TRUNCATE audit_log`)).rejects.toThrow(
      'audit_log is append-only (TRUNCATE refused)',
    );
    // And the application role is not even granted them.
    await expect(withTenant(ds, 'x', (em) => em.query(`DELETE FROM audit_log`))).rejects.toThrow(
      /permission denied/,
    );
  });
});
