/**
 * OAuth2 client credentials over real HTTP on the real database: the token endpoint with
 * both client authentication methods and RFC 6749 refusals, tokens accepted where keys
 * are with their scopes, rate limits, usage and audit actor, bound to their tenant,
 * refused on the very next request on every gateway once their client is revoked (read
 * cache path included), refused once expired, and swept from the database a while after.
 */
import {
  CreatedOAuthClient,
  ExpiredTokenSweeper,
  hashApiKey,
  OAuthClientsRepository,
  UsageRecorder,
} from '@herald/access';
import { SCOPES } from '@herald/contracts';
import { TenantsRepository } from '@herald/platform';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { apiRequest, ApiResponse } from '../support/api-keys';
import { basic, form, tokenRequest } from '../support/oauth';
import { startTestApp, TestApp } from '../support/app';
import pino from 'pino';
import { eventually, uniqueName } from '../support/infra';

const SHORT_TTL_MS = 1500;

describe('OAuth client credentials', () => {
  let t: TestApp;
  let other: TestApp;
  let repo: OAuthClientsRepository;
  const a = uniqueName('oauth-a');
  const b = uniqueName('oauth-b');
  let reader: CreatedOAuthClient;
  let admin: CreatedOAuthClient;
  let readerB: CreatedOAuthClient;

  const tokenFor = async (
    client: CreatedOAuthClient,
    app: TestApp = t,
    extra: Record<string, string> = {},
  ): Promise<string> => {
    const res = await tokenRequest(app, client.tenant, form({ grant_type: 'client_credentials', ...extra }), {
      authorization: basic(client.id, client.secret),
    });
    expect(res.status).toBe(200);
    return res.body.access_token;
  };

  const bearer = (
    token: string,
    tenant: string,
    path: string,
    app: TestApp = t,
    method = 'GET',
    body?: unknown,
  ) => apiRequest(app.baseUrl, path, { tenant, key: token, method, body });

  beforeAll(async () => {
    t = await startTestApp([GatewayModule]);
    // A second gateway on the same database, with short-lived tokens: revocation reaches it too.
    other = await startTestApp([GatewayModule], { oauthTokenTtlMs: SHORT_TTL_MS });
    const tenants = new TenantsRepository(t.ds);
    await tenants.create(a);
    await tenants.create(b);
    repo = new OAuthClientsRepository(t.ds);
    reader = await repo.create({
      tenant: a,
      scopes: ['events:read', 'users:read'],
      label: 'reader',
      actor: 'test',
    });
    admin = await repo.create({ tenant: a, scopes: [...SCOPES], actor: 'test' });
    readerB = await repo.create({ tenant: b, scopes: ['events:read'], actor: 'test' });
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  describe('the token endpoint', () => {
    it('issues a token to a client authenticated with HTTP Basic, uncacheable, with all its scopes', async () => {
      const res = await tokenRequest(t, a, form({ grant_type: 'client_credentials' }), {
        authorization: basic(reader.id, reader.secret),
      });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.pragma).toBe('no-cache');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        access_token: expect.stringMatching(/^mc_at_[A-Za-z0-9_-]{43}$/),
        token_type: 'Bearer',
        expires_in: 900,
        scope: 'events:read users:read',
      });
      // Only the hash is stored.
      const stored = await t.ds.query(`SELECT count(*)::int AS n FROM oauth_tokens WHERE client_id = $1`, [
        reader.id,
      ]);
      expect(stored[0].n).toBeGreaterThan(0);
      const plain = await t.ds.query(
        `SELECT count(*)::int AS n FROM oauth_tokens WHERE encode(token_hash, 'escape') LIKE '%mc_at_%'`,
      );
      expect(plain[0].n).toBe(0);
    });

    it('issues a token to a client authenticated in the body, narrowed to the requested scope', async () => {
      const res = await tokenRequest(
        t,
        a,
        form({
          grant_type: 'client_credentials',
          client_id: reader.id,
          client_secret: reader.secret,
          scope: 'users:read',
        }),
      );
      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('users:read');
    });

    it('refuses a wrong secret with 401 invalid_client, and a Basic challenge when Basic was used', async () => {
      const wrong = `${reader.secret.slice(0, -1)}${reader.secret.endsWith('A') ? 'B' : 'A'}`;
      const viaBasic = await tokenRequest(t, a, form({ grant_type: 'client_credentials' }), {
        authorization: basic(reader.id, wrong),
      });
      expect(viaBasic.status).toBe(401);
      expect(viaBasic.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
      expect(viaBasic.headers['www-authenticate']).toMatch(/^Basic /);
      expect(viaBasic.headers['cache-control']).toBe('no-store');

      const viaBody = await tokenRequest(
        t,
        a,
        form({ grant_type: 'client_credentials', client_id: reader.id, client_secret: wrong }),
      );
      expect(viaBody.status).toBe(401);
      expect(viaBody.body.error).toBe('invalid_client');
      expect(viaBody.headers['www-authenticate']).toBeUndefined();
    });

    it("refuses a client of another tenant, and an unknown tenant's host is the API's 404", async () => {
      const foreign = await tokenRequest(t, b, form({ grant_type: 'client_credentials' }), {
        authorization: basic(reader.id, reader.secret),
      });
      expect(foreign.status).toBe(401);
      expect(foreign.body.error).toBe('invalid_client');
      const unknown = await tokenRequest(t, 'no-such-tenant', form({ grant_type: 'client_credentials' }), {
        authorization: basic(reader.id, reader.secret),
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('tenant_not_found');
    });

    it.each([
      ['an unsupported grant', form({ grant_type: 'password' }), 400, 'unsupported_grant_type'],
      ['no grant_type', form({}), 400, 'invalid_request'],
      [
        'a repeated parameter',
        'grant_type=client_credentials&grant_type=client_credentials',
        400,
        'invalid_request',
      ],
      [
        'a scope the client does not hold',
        form({ grant_type: 'client_credentials', scope: 'webhooks:manage' }),
        400,
        'invalid_scope',
      ],
      [
        'an unknown scope',
        form({ grant_type: 'client_credentials', scope: 'events:read nope' }),
        400,
        'invalid_scope',
      ],
    ])('refuses %s', async (_what, body, status, error) => {
      const res = await tokenRequest(t, a, body, { authorization: basic(reader.id, reader.secret) });
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error, error_description: expect.any(String) });
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('refuses two authentication methods at once, no authentication, and a JSON body', async () => {
      const both = await tokenRequest(
        t,
        a,
        form({ grant_type: 'client_credentials', client_id: reader.id, client_secret: reader.secret }),
        { authorization: basic(reader.id, reader.secret) },
      );
      expect([both.status, both.body.error]).toEqual([400, 'invalid_request']);
      const none = await tokenRequest(t, a, form({ grant_type: 'client_credentials' }));
      expect([none.status, none.body.error]).toEqual([401, 'invalid_client']);
      const json = await tokenRequest(t, a, JSON.stringify({ grant_type: 'client_credentials' }), {
        contentType: 'application/json',
        authorization: basic(reader.id, reader.secret),
      });
      expect([json.status, json.body.error]).toEqual([400, 'invalid_request']);
    });

    it('accepts form bodies on the token endpoint only', async () => {
      const res = await apiRequest(t.baseUrl, '/api/v1/webhooks', {
        tenant: a,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    });

    it('limits token requests per client id', async () => {
      const made = 'client_01JG5K8HW2X4A8Q3M1T6KQ7BWP';
      let last: ApiResponse | undefined;
      for (let i = 0; i < 61; i++) {
        last = await tokenRequest(t, a, form({ grant_type: 'client_credentials' }), {
          authorization: basic(made, reader.secret),
        });
        if (last.status === 429) break;
        expect(last.status).toBe(401);
      }
      expect(last?.status).toBe(429);
      expect(last?.body.error).toBe('rate_limited');
      expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
      // Another client of the tenant is not held back.
      await tokenFor(reader);
    });
  });

  describe('tokens on the API', () => {
    it('work where a key does, limited to their scopes, rate-limited and metered per client', async () => {
      const token = await tokenFor(reader);
      const ok = await bearer(token, a, '/api/v1/events');
      expect(ok.status).toBe(200);
      expect(ok.headers['ratelimit-limit']).toBe('600');
      expect(Number(ok.headers['ratelimit-remaining'])).toBeLessThan(600);

      const narrowed = await tokenFor(reader, t, { scope: 'users:read' });
      const refused = await bearer(narrowed, a, '/api/v1/events');
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({
        code: 'insufficient_scope',
        message: 'this access token lacks the scope events:read',
      });
      // Twice on a cached read: the read cache answers the second the same way.
      for (let i = 0; i < 2; i++) expect((await bearer(narrowed, a, '/api/v1/users')).status).toBe(200);

      const recorder = t.app.get(UsageRecorder);
      const usage = await eventually(async () => {
        await recorder.flush();
        const rows: Array<{ requests: number; errors: number }> = await t.ds.query(
          `SELECT sum(requests)::int AS requests, sum(errors)::int AS errors
           FROM oauth_client_usage WHERE client_id = $1`,
          [reader.id],
        );
        return rows[0] && rows[0].requests >= 4 ? rows[0] : undefined;
      });
      expect(usage).toEqual({ requests: 4, errors: 1 });
      const [client] = await t.ds.query(`SELECT last_used_at FROM oauth_clients WHERE id = $1`, [reader.id]);
      expect(client.last_used_at).toBeInstanceOf(Date);
    });

    it('act as their client in the audit log', async () => {
      const token = await tokenFor(admin);
      const res = await bearer(token, a, '/api/v1/keys', t, 'POST', {
        label: 'by client',
        scopes: ['events:read'],
      });
      expect(res.status).toBe(201);
      const rows = await t.ds.query(`SELECT actor, action FROM audit_log WHERE target_id = $1`, [
        res.body.data.id,
      ]);
      expect(rows).toEqual([{ actor: `client:${admin.id}`, action: 'api_key.created' }]);

      const settings = await bearer(token, a, '/api/v1/settings', t, 'PATCH', { attempt_timeout_ms: 4321 });
      expect(settings.status).toBe(200);
      const changed = await t.ds.query(
        `SELECT actor FROM audit_log WHERE tenant = $1 AND action = 'tenant_settings.updated'`,
        [a],
      );
      expect(changed).toEqual([{ actor: `client:${admin.id}` }]);
    });

    it("are refused on another tenant's host with 401 invalid_token", async () => {
      const token = await tokenFor(readerB);
      expect((await bearer(token, b, '/api/v1/events')).status).toBe(200);
      const foreign = await bearer(token, a, '/api/v1/events');
      expect(foreign.status).toBe(401);
      expect(foreign.body.error.code).toBe('invalid_token');
      expect(foreign.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      expect((await bearer('mc_at_' + 'x'.repeat(43), a, '/api/v1/events')).body.error.code).toBe(
        'invalid_token',
      );
    });

    it('are refused on the very next request, on every gateway and cached path, once their client is revoked', async () => {
      const doomed = await repo.create({ tenant: a, scopes: ['events:read', 'users:read'], actor: 'test' });
      const token = await tokenFor(doomed);
      for (const app of [t, other]) {
        expect((await bearer(token, a, '/api/v1/events', app)).status).toBe(200);
        expect((await bearer(token, a, '/api/v1/users', app)).status).toBe(200);
        expect((await bearer(token, a, '/api/v1/users', app)).status).toBe(200);
      }
      const res = await repo.revoke(a, doomed.id, 'cli:test');
      expect(res).toMatchObject({ alreadyRevoked: false, unconfirmedGateways: 0 });
      for (const app of [t, other]) {
        for (const path of ['/api/v1/events', '/api/v1/users']) {
          const refused = await bearer(token, a, path, app);
          expect([refused.status, refused.body.error.code]).toEqual([401, 'invalid_token']);
        }
      }
      const again = await tokenRequest(t, a, form({ grant_type: 'client_credentials' }), {
        authorization: basic(doomed.id, doomed.secret),
      });
      expect([again.status, again.body.error]).toEqual([401, 'invalid_client']);
      expect(await repo.revoke(a, doomed.id, 'cli:test')).toMatchObject({ alreadyRevoked: true });
      const audit = await t.ds.query(`SELECT actor, action FROM audit_log WHERE target_id = $1 ORDER BY id`, [
        doomed.id,
      ]);
      expect(audit).toEqual([
        { actor: 'test', action: 'oauth_client.created' },
        { actor: 'cli:test', action: 'oauth_client.revoked' },
      ]);
    });

    it('are refused with 401 invalid_token once expired', async () => {
      const res = await tokenRequest(other, a, form({ grant_type: 'client_credentials' }), {
        authorization: basic(reader.id, reader.secret),
      });
      expect(res.body.expires_in).toBe(Math.floor(SHORT_TTL_MS / 1000));
      const token: string = res.body.access_token;
      expect((await bearer(token, a, '/api/v1/events', other)).status).toBe(200);
      const refused = await eventually(async () => {
        const r = await bearer(token, a, '/api/v1/events', other);
        return r.status === 200 ? undefined : r;
      }, 10_000);
      expect([refused.status, refused.body.error.code]).toEqual([401, 'invalid_token']);
    });
  });

  describe('expired tokens', () => {
    const stored = async (token: string): Promise<boolean> => {
      const rows: unknown[] = await t.ds.query(`SELECT 1 FROM oauth_tokens WHERE token_hash = $1`, [
        hashApiKey(token),
      ]);
      return rows.length > 0;
    };

    it('are deleted by the periodic sweep, in batches, while live tokens stay', async () => {
      const client = await repo.create({ tenant: b, scopes: ['events:read'], actor: 'test' });
      const expired = [await tokenFor(client), await tokenFor(client), await tokenFor(client)];
      const live = await tokenFor(client);
      // Past the retention an expired token is kept for: the sweep's to delete, not the next issue's.
      await t.ds.query(
        `UPDATE oauth_tokens SET expires_at = now() - interval '2 hours' WHERE token_hash = ANY($1)`,
        [expired.map(hashApiKey)],
      );
      const sweeper = new ExpiredTokenSweeper(t.ds, pino({ level: 'silent' }), 30 * 60_000, 2);
      sweeper.start(50);
      try {
        await eventually(async () => {
          for (const token of expired) if (await stored(token)) return false;
          return true;
        }, 10_000);
      } finally {
        await sweeper.stop();
      }
      expect(sweeper.running).toBe(false);
      expect(await stored(live)).toBe(true);
      expect((await bearer(live, b, '/api/v1/events')).status).toBe(200);
    });

    it('are swept by every gateway, which stops sweeping at shutdown', async () => {
      const app = await startTestApp([GatewayModule]);
      const sweeper = app.app.get(ExpiredTokenSweeper);
      expect(sweeper.running).toBe(true);
      await app.close();
      expect(sweeper.running).toBe(false);
    });
  });
});
