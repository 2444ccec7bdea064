/**
 * Access control: API keys per tenant (SHA-256 only at rest), the append-only audit
 * log, and per-key usage counters for the admin dashboard. All three are tenant-owned
 * and bound by row-level security like the read models.
 *
 * Gateways cache validated keys in memory; every change that can invalidate such an
 * entry (a key revoked or deleted, a tenant's limits changed, a tenant disabled) is
 * announced on the `herald_access` channel as `<seq>:<tenant>:<key id|*>`, from
 * triggers, so no write path can forget it. Each gateway's listener records in
 * `access_listeners` the last sequence number it has applied, so a revocation can wait
 * until every live gateway has dropped the key.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const SCOPES = `ARRAY['events:read','users:read','posts:read','webhooks:read','webhooks:manage']::text[]`;

export class Access1764158400000 implements MigrationInterface {
  name = 'Access1764158400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id                    text PRIMARY KEY,
        tenant                text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        mode                  text NOT NULL CHECK (mode IN ('live', 'test')),
        label                 text,
        prefix                text NOT NULL,
        key_hash              bytea NOT NULL CHECK (octet_length(key_hash) = 32),
        scopes                text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ${SCOPES}),
        rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
        daily_quota           integer CHECK (daily_quota > 0),
        created_by            text,
        created_at            timestamptz NOT NULL DEFAULT now(),
        expires_at            timestamptz,
        revoked_at            timestamptz,
        last_used_at          timestamptz,
        UNIQUE (tenant, key_hash)
      )`);
    await q.query(`CREATE INDEX api_keys_tenant_created ON api_keys (tenant, created_at)`);

    // Append-only: no role may update, delete or truncate an audit row, the owner included.
    await q.query(`
      CREATE TABLE audit_log (
        id          bigserial PRIMARY KEY,
        tenant      text NOT NULL REFERENCES tenants (slug),
        at          timestamptz NOT NULL DEFAULT now(),
        actor       text NOT NULL,
        action      text NOT NULL,
        target_type text NOT NULL,
        target_id   text NOT NULL,
        details     jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_log_tenant_at ON audit_log (tenant, at, id)`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);

    await q.query(`
      CREATE TABLE api_key_usage (
        tenant       text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        key_id       text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
        hour         timestamptz NOT NULL,
        requests     bigint NOT NULL DEFAULT 0,
        errors       bigint NOT NULL DEFAULT 0,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (key_id, hour)
      )`);
    await q.query(`CREATE INDEX api_key_usage_tenant_hour ON api_key_usage (tenant, hour)`);

    for (const table of ['api_keys', 'audit_log', 'api_key_usage']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant = herald_current_tenant())
          WITH CHECK (tenant = herald_current_tenant())`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON api_keys TO herald_app`);
    await q.query(`GRANT SELECT, INSERT ON audit_log TO herald_app`);
    await q.query(`GRANT USAGE ON SEQUENCE audit_log_id_seq TO herald_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON api_key_usage TO herald_app`);

    // System state, not tenant-owned: only the schema owner (the gateways' listeners) uses it.
    await q.query(`
      CREATE TABLE access_listeners (
        id           text PRIMARY KEY,
        heartbeat_at timestamptz NOT NULL,
        acked_seq    bigint NOT NULL
      )`);
    await q.query(`CREATE SEQUENCE herald_access_seq`);
    await q.query(`GRANT USAGE ON SEQUENCE herald_access_seq TO herald_app`);
    await q.query(`
      CREATE FUNCTION herald_access_notify() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        row_data record;
        target text;
      BEGIN
        row_data := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        IF TG_TABLE_NAME = 'api_keys' THEN
          target := row_data.tenant || ':' || row_data.id;
        ELSIF TG_TABLE_NAME = 'tenants' THEN
          target := row_data.slug || ':*';
        ELSE
          target := row_data.tenant || ':*';
        END IF;
        PERFORM pg_notify('herald_access', nextval('herald_access_seq') || ':' || target);
        RETURN NULL;
      END $$`);
    // last_used_at is written in batches all the time and changes nothing a cache holds.
    await q.query(`
      CREATE TRIGGER api_keys_changed AFTER UPDATE ON api_keys FOR EACH ROW
        WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
           OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
           OR OLD.scopes IS DISTINCT FROM NEW.scopes
           OR OLD.key_hash IS DISTINCT FROM NEW.key_hash
           OR OLD.rate_limit_per_minute IS DISTINCT FROM NEW.rate_limit_per_minute
           OR OLD.daily_quota IS DISTINCT FROM NEW.daily_quota)
        EXECUTE FUNCTION herald_access_notify()`);
    await q.query(`
      CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys FOR EACH ROW
        EXECUTE FUNCTION herald_access_notify()`);
    await q.query(`
      CREATE TRIGGER tenant_settings_access_changed AFTER UPDATE OR DELETE ON tenant_settings FOR EACH ROW
        EXECUTE FUNCTION herald_access_notify()`);
    await q.query(`
      CREATE TRIGGER tenants_access_changed AFTER UPDATE OF disabled_at OR DELETE ON tenants FOR EACH ROW
        EXECUTE FUNCTION herald_access_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tenants_access_changed ON tenants`);
    await q.query(`DROP TRIGGER tenant_settings_access_changed ON tenant_settings`);
    await q.query(`DROP TABLE api_key_usage`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP FUNCTION herald_access_notify()`);
    await q.query(`DROP SEQUENCE herald_access_seq`);
    await q.query(`DROP TABLE access_listeners`);
  }
}
