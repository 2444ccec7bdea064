/**
 * Webhook delivery state: endpoints (signing secrets sealed with AES-256-GCM under a
 * versioned master key), the messages to send (the exact body, stored once per event
 * and tenant), one delivery per (event, endpoint), and every attempt made.
 *
 * All four tables are tenant-owned and bound by row-level security. The dispatcher and
 * the delivery workers run as the schema owner (they serve the event stream of every
 * tenant); the public API reads and manages them as `herald_app`.
 *
 * A delivery is claimed with a lease (`lease_owner`, `lease_until`) so that no two
 * workers ever attempt it at once, even after a worker was killed mid-attempt: the
 * lease outlives the longest attempt and expires on its own.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const SCHEMES = `'mobieus-v1', 'mobieus-v1-sha512', 'standard-webhooks', 'standard-webhooks-ed25519'`;
const STATUSES = `'pending', 'retrying', 'succeeded', 'dead', 'cancelled'`;

export class Webhooks1764244800000 implements MigrationInterface {
  name = 'Webhooks1764244800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id                          text PRIMARY KEY,
        tenant                      text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        url                         text NOT NULL CHECK (url LIKE 'https://%'),
        label                       text,
        events                      text[] NOT NULL CHECK (cardinality(events) > 0),
        filters                     jsonb NOT NULL DEFAULT '{}'::jsonb,
        active                      boolean NOT NULL DEFAULT true,
        signing_scheme              text NOT NULL DEFAULT 'mobieus-v1' CHECK (signing_scheme IN (${SCHEMES})),
        disabled_reason             text,
        secret_key_id               text NOT NULL,
        secret_sealed               bytea NOT NULL,
        previous_secret_key_id      text,
        previous_secret_sealed      bytea,
        previous_secret_expires_at  timestamptz,
        consecutive_dead            integer NOT NULL DEFAULT 0,
        created_at                  timestamptz NOT NULL DEFAULT now(),
        updated_at                  timestamptz NOT NULL DEFAULT now(),
        CHECK ((previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL))
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant, id)`);
    await q.query(`CREATE INDEX webhook_endpoints_active ON webhook_endpoints (tenant) WHERE active`);

    await q.query(`
      CREATE TABLE webhook_messages (
        tenant      text NOT NULL REFERENCES tenants (slug) ON DELETE CASCADE,
        event_id    text NOT NULL,
        event_type  text NOT NULL,
        payload     text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, event_id)
      )`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id               text PRIMARY KEY,
        tenant           text NOT NULL,
        endpoint_id      text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_id         text NOT NULL,
        event_type       text NOT NULL,
        status           text NOT NULL DEFAULT 'pending' CHECK (status IN (${STATUSES})),
        attempt_count    integer NOT NULL DEFAULT 0,
        max_attempts     integer NOT NULL CHECK (max_attempts > 0),
        next_attempt_at  timestamptz,
        lease_owner      text,
        lease_until      timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        UNIQUE (event_id, endpoint_id),
        FOREIGN KEY (tenant, event_id) REFERENCES webhook_messages (tenant, event_id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE status IN ('pending', 'retrying')`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant, endpoint_id, id)`);

    await q.query(`
      CREATE TABLE webhook_attempts (
        delivery_id      text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        n                integer NOT NULL CHECK (n > 0),
        tenant           text NOT NULL,
        at               timestamptz NOT NULL,
        status_code      integer,
        latency_ms       integer NOT NULL,
        response_body    text,
        error            text,
        request_headers  jsonb NOT NULL,
        max_attempts     integer NOT NULL,
        next_attempt_at  timestamptz,
        PRIMARY KEY (delivery_id, n)
      )`);

    for (const table of ['webhook_endpoints', 'webhook_messages', 'webhook_deliveries', 'webhook_attempts']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (tenant = herald_current_tenant())
          WITH CHECK (tenant = herald_current_tenant())`);
    }
    // Delivery workers cache endpoints (with their opened secrets); a change that matters to a
    // delivery drops that entry at once (the consecutive-dead counter is not one of them).
    await q.query(`
      CREATE FUNCTION herald_webhook_endpoint_notify() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('herald_webhook_endpoints', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER webhook_endpoints_changed
        AFTER UPDATE OF url, events, filters, active, signing_scheme, disabled_reason,
                        secret_key_id, secret_sealed, previous_secret_key_id, previous_secret_sealed,
                        previous_secret_expires_at
           OR DELETE ON webhook_endpoints FOR EACH ROW
        EXECUTE FUNCTION herald_webhook_endpoint_notify()`);

    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO herald_app`);
    await q.query(`GRANT SELECT, INSERT ON webhook_messages TO herald_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO herald_app`);
    await q.query(`GRANT SELECT ON webhook_attempts TO herald_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_messages`);
    await q.query(`DROP TABLE webhook_endpoints`);
    await q.query(`DROP FUNCTION herald_webhook_endpoint_notify()`);
  }
}
