/**
 * The tenant administration routes of the management API over real HTTP and Postgres:
 * the audit log (newest-first keyset pages that neither skip nor repeat while rows are
 * written, its filters, masking, tenant isolation and scope) and the tenant's settings
 * (defaults, checked changes saved whole or not at all, audit-logged in the same
 * transaction).
 */
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse, mintTestKey, TestKey } from '../support/api-keys';
import { startTestApp, TestApp } from '../support/app';
import { uniqueName } from '../support/infra';

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('management API', () => {
  let t: TestApp;
  const a = uniqueName('mgmt-a');
  const b = uniqueName('mgmt-b');
  let auditA: TestKey;
  let auditB: TestKey;
  let settingsA: TestKey;
  let readOnly: TestKey;
  let everythingElse: TestKey;

  const call = (k: TestKey, method: string, path: string, body?: unknown): Promise<ApiResponse> =>
    apiRequest(t.baseUrl, path, { tenant: k.tenant, key: k.key, method, body });

  /** Writes audit rows straight into the table, as the writers do, at the given times. */
  async function seedAudit(
    tenant: string,
    rows: Array<{ at: string; action: string; actor?: string; targetType?: string; targetId?: string }>,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const r of rows) {
      const [row] = await t.ds.query(
        `INSERT INTO audit_log (tenant, at, actor, action, target_type, target_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id::text AS id`,
        [
          tenant,
          r.at,
          r.actor ?? 'key:k1',
          r.action,
          r.targetType ?? r.action.split('.')[0],
          r.targetId ?? 'x',
          JSON.stringify({ n: ids.length }),
        ],
      );
      ids.push(row.id);
    }
    return ids;
  }

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a);
    await tenants.create(b);
    auditA = await mintTestKey(t.ds, a, ['audit:read', 'webhooks:manage', 'webhooks:read']);
    auditB = await mintTestKey(t.ds, b, ['audit:read', 'settings:read']);
    settingsA = await mintTestKey(t.ds, a, ['settings:read', 'settings:manage', 'audit:read']);
    readOnly = await mintTestKey(t.ds, a, ['settings:read']);
    everythingElse = await mintTestKey(t.ds, a, [
      'events:read',
      'users:read',
      'posts:read',
      'webhooks:read',
      'webhooks:manage',
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('audit log', () => {
    const tenant = uniqueName('mgmt-audit');
    let key: TestKey;
    let seeded: string[];

    beforeAll(async () => {
      await new TenantsRepository(t.ds).create(tenant);
      key = await mintTestKey(t.ds, tenant, ['audit:read']);
      // Two rows share each time: the id breaks the tie.
      seeded = await seedAudit(tenant, [
        { at: '2026-01-01T00:00:00.000001Z', action: 'api_key.created', targetId: 'key_1' },
        { at: '2026-01-01T00:00:00.000001Z', action: 'webhook_endpoint.created', targetId: 'ep_1' },
        { at: '2026-01-02T00:00:00Z', action: 'webhook_endpoint.updated', targetId: 'ep_1' },
        {
          at: '2026-01-02T00:00:00Z',
          action: 'webhook_endpoint.auto_disabled',
          actor: 'system',
          targetId: 'ep_1',
        },
        { at: '2026-01-03T00:00:00Z', action: 'webhook_endpoint.deleted', targetId: 'ep_2' },
        { at: '2026-01-04T00:00:00Z', action: 'api_key.revoked', targetId: 'key_1' },
        { at: '2026-01-05T00:00:00Z', action: 'tenant_settings.updated', targetId: tenant },
      ]);
    });

    const ids = (res: ApiResponse): string[] => res.body.data.map((r: { id: string }) => r.id);

    async function walk(query: string): Promise<string[]> {
      const out: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const res = await call(key, 'GET', `/api/v1/audit-log?${query}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        out.push(...ids(res));
        if (!res.body.meta.has_more) return out;
        cursor = res.body.meta.next_cursor;
      }
      throw new Error('too many pages');
    }

    it('rows are exactly the public objects, newest first', async () => {
      const res = await call(key, 'GET', '/api/v1/audit-log');
      expect(res.status).toBe(200);
      expect(ids(res)).toEqual([...seeded].reverse());
      expect(res.body.data[0]).toEqual({
        id: seeded[6],
        at: '2026-01-05T00:00:00.000000Z',
        actor: 'key:k1',
        action: 'tenant_settings.updated',
        target_type: 'tenant_settings',
        target_id: tenant,
        details: { n: 6 },
      });
      expect(res.body.meta).toEqual({ request_id: expect.any(String), next_cursor: null, has_more: false });
    });

    it('pages on (at, id) in either order, never skipping or repeating while rows are written', async () => {
      expect(await walk('limit=2')).toEqual([...seeded].reverse());
      expect(await walk('limit=3&order=asc')).toEqual(seeded);
      // A row written between two pages of a newest-first walk is above where it is: not in it.
      const first = await call(key, 'GET', '/api/v1/audit-log?limit=3');
      const [late] = await seedAudit(tenant, [{ at: new Date().toISOString(), action: 'api_key.created' }]);
      const rest = await call(
        key,
        'GET',
        `/api/v1/audit-log?limit=100&cursor=${first.body.meta.next_cursor}`,
      );
      expect([...ids(first), ...ids(rest)]).toEqual([...seeded].reverse());
      expect((await walk('limit=2'))[0]).toBe(late);
      seeded.push(late!);
    });

    it('oldest first, even an empty log gives a cursor that later brings what came since', async () => {
      const quiet = uniqueName('mgmt-quiet');
      await new TenantsRepository(t.ds).create(quiet);
      const k = await mintTestKey(t.ds, quiet, ['audit:read']);
      const empty = await call(k, 'GET', '/api/v1/audit-log?order=asc');
      expect(empty.body.data).toEqual([]);
      expect(empty.body.meta).toMatchObject({ has_more: false, next_cursor: expect.any(String) });
      const [first] = await seedAudit(quiet, [{ at: new Date().toISOString(), action: 'api_key.created' }]);
      const since = await call(k, 'GET', `/api/v1/audit-log?order=asc&cursor=${empty.body.meta.next_cursor}`);
      expect(ids(since)).toEqual([first]);
      const after = await call(k, 'GET', `/api/v1/audit-log?order=asc&cursor=${since.body.meta.next_cursor}`);
      expect(after.body.data).toEqual([]);
    });

    it('filters by action (exact or prefix), actor, target and time', async () => {
      const only = async (query: string): Promise<string[]> =>
        ids(await call(key, 'GET', `/api/v1/audit-log?${query}`));
      expect(await only('action=api_key.revoked')).toEqual([seeded[5]]);
      expect(await only('action=webhook_endpoint.*')).toEqual([seeded[4], seeded[3], seeded[2], seeded[1]]);
      expect(await only('action=webhook.*')).toEqual([]);
      expect(await only('actor=system')).toEqual([seeded[3]]);
      expect(await only('target_type=api_key&target_id=key_1&order=asc')).toEqual([seeded[0], seeded[5]]);
      expect(await only('since=2026-01-02T00:00:00Z&until=2026-01-04T00:00:00Z')).toEqual([
        seeded[4],
        seeded[3],
        seeded[2],
      ]);
      expect(await only('since=2026-01-01T01:00:00%2B01:00&until=2026-01-02T00:00:00Z')).toEqual([
        seeded[1],
        seeded[0],
      ]);
      // Offsets RFC 3339 allows beyond Postgres's ±15:59 are read as the same instants in UTC.
      expect(await only('since=2025-12-31T06:48:00-17:12&until=2026-01-02T16:00:00%2B16:00')).toEqual([
        seeded[1],
        seeded[0],
      ]);
      // A filtered walk pages within its filter.
      const page = await call(key, 'GET', '/api/v1/audit-log?action=webhook_endpoint.*&limit=3');
      const next = await call(
        key,
        'GET',
        `/api/v1/audit-log?action=webhook_endpoint.*&limit=3&cursor=${page.body.meta.next_cursor}`,
      );
      expect([...ids(page), ...ids(next)]).toEqual([seeded[4], seeded[3], seeded[2], seeded[1]]);
    });

    it('refuses bad filters (400 bad_request) and cursors of another query or tenant (400 invalid_cursor)', async () => {
      for (const query of [
        'action=api_key.%25',
        'action=*',
        'since=yesterday',
        'until=2026-02-30T00:00:00Z',
        'limit=0',
      ]) {
        const res = await call(key, 'GET', `/api/v1/audit-log?${query}`);
        expect([query, res.status, res.body.error.code]).toEqual([query, 400, 'bad_request']);
      }
      const page = await call(key, 'GET', '/api/v1/audit-log?limit=1');
      const cursor: string = page.body.meta.next_cursor;
      const tampered = cursor.replace(/\.(\d+)_/, (_, m: string) => `.${BigInt(m) + 1n}_`);
      for (const [k, query] of [
        [key, `cursor=${cursor}&order=asc`],
        [key, `cursor=${cursor}&actor=system`],
        [key, `cursor=${tampered}`],
        [key, 'cursor=garbage'],
        [auditB, `cursor=${cursor}`],
      ] as const) {
        const res = await call(k, 'GET', `/api/v1/audit-log?limit=1&${query}`);
        expect([query, res.status, res.body.error.code]).toEqual([query, 400, 'invalid_cursor']);
      }
    });

    it('shows a tenant its own rows only, and needs audit:read', async () => {
      await seedAudit(b, [{ at: '2026-01-01T00:00:00Z', action: 'api_key.created' }]);
      const res = await call(auditB, 'GET', '/api/v1/audit-log?limit=100');
      expect(res.body.data.map((r: { action: string; target_id: string }) => r.target_id)).not.toContain(
        tenant,
      );
      expect(ids(res)).not.toEqual(expect.arrayContaining([seeded[0]]));
      const refused = await call(everythingElse, 'GET', '/api/v1/audit-log');
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('insufficient_scope');
    });

    it('shows what the real writers wrote, without the query values of an endpoint URL', async () => {
      const created = await call(auditA, 'POST', '/api/v1/webhooks', {
        url: 'https://93.184.216.34/hook?token=s3cr3t-value',
        events: ['post.*'],
      });
      expect(created.status).toBe(201);
      const res = await call(auditA, 'GET', `/api/v1/audit-log?target_id=${created.body.data.id}`);
      expect(res.body.data).toEqual([
        expect.objectContaining({
          actor: `key:${auditA.id}`,
          action: 'webhook_endpoint.created',
          target_type: 'webhook_endpoint',
          details: expect.objectContaining({ url: 'https://93.184.216.34/hook?token=***' }),
        }),
      ]);
      expect(JSON.stringify(res.body)).not.toContain('s3cr3t-value');
      expect(JSON.stringify(res.body)).not.toContain(created.body.data.secret);
    });
  });

  describe('settings', () => {
    const auditOf = async (): Promise<Array<{ actor: string; details: unknown }>> =>
      t.ds.query(
        `SELECT actor, details FROM audit_log WHERE tenant = $1 AND action = 'tenant_settings.updated' ORDER BY id`,
        [a],
      );

    it('start at the defaults, the deployment retry schedule among them', async () => {
      const res = await call(settingsA, 'GET', '/api/v1/settings');
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        retry_schedule: ['0', '1m', '5m', '30m', '2h', '6h', '1d'],
        retry_schedule_is_default: true,
        attempt_timeout_ms: 10000,
        auto_disable_threshold: 20,
        default_rate_limit_per_minute: 600,
        default_daily_quota: null,
        updated_at: expect.stringMatching(TIME),
      });
    });

    it('change what is sent, audit-logged with the changed fields before and after', async () => {
      const res = await call(settingsA, 'PATCH', '/api/v1/settings', {
        retry_schedule: '0,30s,5m',
        attempt_timeout_ms: 2500,
        default_daily_quota: 5000,
        auto_disable_threshold: 20,
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        retry_schedule: ['0', '30s', '5m'],
        retry_schedule_is_default: false,
        attempt_timeout_ms: 2500,
        auto_disable_threshold: 20,
        default_rate_limit_per_minute: 600,
        default_daily_quota: 5000,
      });
      expect((await call(readOnly, 'GET', '/api/v1/settings')).body.data).toEqual(res.body.data);
      expect(await auditOf()).toEqual([
        {
          actor: `key:${settingsA.id}`,
          details: {
            before: { retry_schedule: null, attempt_timeout_ms: 10000, default_daily_quota: null },
            after: {
              retry_schedule: ['0', '30s', '5m'],
              attempt_timeout_ms: 2500,
              default_daily_quota: 5000,
            },
          },
        },
      ]);
      const [row] = await t.ds.query(
        `SELECT retry_schedule_ms, attempt_timeout_ms, daily_quota FROM tenant_settings WHERE tenant = $1`,
        [a],
      );
      expect(row).toEqual({
        retry_schedule_ms: [0, 30000, 300000],
        attempt_timeout_ms: 2500,
        daily_quota: 5000,
      });
      // The audit log route shows it too.
      const logged = await call(settingsA, 'GET', '/api/v1/audit-log?action=tenant_settings.*');
      expect(logged.body.data[0]).toMatchObject({ target_type: 'tenant_settings', target_id: a });
      // Nothing changed: nothing logged.
      expect((await call(settingsA, 'PATCH', '/api/v1/settings', { attempt_timeout_ms: 2500 })).status).toBe(
        200,
      );
      expect(await auditOf()).toHaveLength(1);
    });

    it('save nothing when any field is out of bounds (422) or of the wrong type (400)', async () => {
      const before = (await call(settingsA, 'GET', '/api/v1/settings')).body.data;
      const cases: Array<[unknown, number, string]> = [
        [{ retry_schedule: ['0', '5m', '1m'], attempt_timeout_ms: 3000 }, 422, 'invalid_settings'],
        [{ retry_schedule: ['0', '8d'] }, 422, 'invalid_settings'],
        [{ retry_schedule: Array(21).fill('1s') }, 422, 'invalid_settings'],
        [{ retry_schedule: [] }, 422, 'invalid_settings'],
        [{ retry_schedule: ['0', 'soon'] }, 422, 'invalid_settings'],
        [{ attempt_timeout_ms: 99 }, 422, 'invalid_settings'],
        [{ attempt_timeout_ms: 60001, auto_disable_threshold: 5 }, 422, 'invalid_settings'],
        [{ auto_disable_threshold: 0 }, 422, 'invalid_settings'],
        [{ auto_disable_threshold: 1001 }, 422, 'invalid_settings'],
        [{ default_rate_limit_per_minute: 0 }, 422, 'invalid_settings'],
        [{ default_daily_quota: -1 }, 422, 'invalid_settings'],
        [{ attempt_timeout_ms: null }, 422, 'invalid_settings'],
        [{ attempt_timeout_ms: '500' }, 400, 'bad_request'],
        [{ attempt_timeout_ms: 1.5 }, 400, 'bad_request'],
        [{ retry_schedule: [0, 60] }, 400, 'bad_request'],
        [{ retry_schedule: 5 }, 400, 'bad_request'],
        [{ retry_schedules: ['0'] }, 400, 'bad_request'],
      ];
      for (const [body, status, code] of cases) {
        const res = await call(settingsA, 'PATCH', '/api/v1/settings', body);
        expect([body, res.status, res.body.error?.code]).toEqual([body, status, code]);
      }
      const bad = await call(settingsA, 'PATCH', '/api/v1/settings', {
        retry_schedule: ['0', '10d'],
        auto_disable_threshold: 0,
        attempt_timeout_ms: 500,
      });
      expect(bad.body.error.details).toEqual([
        { field: 'retry_schedule', reason: 'retry_schedule[1] must be at most 7d' },
        {
          field: 'auto_disable_threshold',
          reason: 'auto_disable_threshold must be an integer from 1 to 1000',
        },
      ]);
      expect((await call(settingsA, 'GET', '/api/v1/settings')).body.data).toEqual(before);
      expect(await auditOf()).toHaveLength(1);
    });

    it('go back to the deployment schedule with null; other tenants are untouched; need their scopes', async () => {
      const res = await call(settingsA, 'PATCH', '/api/v1/settings', { retry_schedule: null });
      expect(res.body.data).toMatchObject({
        retry_schedule: ['0', '1m', '5m', '30m', '2h', '6h', '1d'],
        retry_schedule_is_default: true,
      });
      const other = await call(auditB, 'GET', '/api/v1/settings');
      expect(other.body.data).toMatchObject({ attempt_timeout_ms: 10000, default_daily_quota: null });
      const refused = await call(readOnly, 'PATCH', '/api/v1/settings', { attempt_timeout_ms: 1000 });
      expect(refused.status).toBe(403);
      expect(refused.body.error.details.missing_scopes).toEqual(['settings:manage']);
      expect((await call(everythingElse, 'GET', '/api/v1/settings')).status).toBe(403);
    });
  });
});
