/**
 * OAuth2 client credentials (RFC 6749 §4.4) for the public API.
 *
 * - `oauth_clients`: per tenant, with the scopes its tokens may carry; only the SHA-256 of
 *   the client secret is stored.
 * - `oauth_tokens`: the access tokens issued, keyed by the SHA-256 of the token, each with
 *   its client, tenant, scopes and expiry. A token is found only within its own tenant.
 *
 * Revoking (or deleting) a client is announced on `herald_access` as `<tenant>:<client id>`
 * by the same trigger function as API keys, so every gateway drops the client's cached
 * tokens at once and a revocation can wait for them (key-cache/access-propagation.ts).
 * Both tables get the treatment of every tenant table: row-level security, FORCEd, the
 * `tenant_isolation` policy and the `system_scope` opt-in.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './tenant-table';

export const OAUTH_TABLES = ['oauth_clients', 'oauth_tokens'] as const;

/** herald_access_notify(), with `oauth_clients` rows announced per client like keys. */
function notifyFunction(perRowTables: string): string {
  return `
    CREATE OR REPLACE FUNCTION herald_access_notify() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      row_data record;
      target text;
    BEGIN
      row_data := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      IF TG_TABLE_NAME IN (${perRowTables}) THEN
        target := row_data.tenant || ':' || row_data.id;
      ELSIF TG_TABLE_NAME = 'tenants' THEN
        target := row_data.slug || ':*';
      ELSE
        target := row_data.tenant || ':*';
      END IF;
      PERFORM pg_notify('herald_access', nextval('herald_access_seq') || ':' || target);
      RETURN NULL;
    END $$`;
}

export class OAuthClients1764777600000 implements MigrationInterface {
  name = 'OAuthClients1764777600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oauth_clients (
        id            text PRIMARY KEY,
        tenant        text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        label         text,
        secret_prefix text NOT NULL,
        secret_hash   bytea NOT NULL UNIQUE CHECK (octet_length(secret_hash) = 32),
        scopes        text[] NOT NULL CHECK (cardinality(scopes) > 0),
        created_by    text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        revoked_at    timestamptz,
        last_used_at  timestamptz
      )`);
    await q.query(`CREATE INDEX oauth_clients_tenant ON oauth_clients (tenant, created_at)`);

    await q.query(`
      CREATE TABLE oauth_tokens (
        token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
        tenant     text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        client_id  text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
        scopes     text[] NOT NULL CHECK (cardinality(scopes) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX oauth_tokens_client_expiry ON oauth_tokens (client_id, expires_at)`);

    // Hourly usage of clients, like api_key_usage for keys.
    await q.query(`
      CREATE TABLE oauth_client_usage (
        tenant       text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        client_id    text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
        hour         timestamptz NOT NULL,
        requests     bigint NOT NULL DEFAULT 0,
        errors       bigint NOT NULL DEFAULT 0,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (client_id, hour)
      )`);

    for (const table of [...OAUTH_TABLES, 'oauth_client_usage']) {
      await isolateTenantTable(q, table);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON oauth_clients TO herald_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON oauth_tokens TO herald_app`);
    await q.query(`GRANT SELECT ON oauth_client_usage TO herald_app`);

    await q.query(notifyFunction(`'api_keys', 'oauth_clients'`));
    await q.query(`
      CREATE TRIGGER oauth_clients_changed AFTER UPDATE ON oauth_clients FOR EACH ROW
        WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
           OR OLD.scopes IS DISTINCT FROM NEW.scopes
           OR OLD.secret_hash IS DISTINCT FROM NEW.secret_hash)
        EXECUTE FUNCTION herald_access_notify()`);
    await q.query(`
      CREATE TRIGGER oauth_clients_deleted AFTER DELETE ON oauth_clients FOR EACH ROW
        EXECUTE FUNCTION herald_access_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oauth_client_usage`);
    await q.query(`DROP TABLE oauth_tokens`);
    await q.query(`DROP TABLE oauth_clients`);
    await q.query(notifyFunction(`'api_keys'`));
  }
}
