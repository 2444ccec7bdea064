/**
 * What the management API of the admin console reads and writes:
 *
 * - three scopes (`audit:read`, `settings:read`, `settings:manage`) join those a key may hold;
 * - the audit log is read newest first per tenant, by exact action and by target;
 * - each endpoint keeps the state of its circuit breaker as the delivery workers last
 *   reported it (written on transitions only, never per delivery), so the gateway can
 *   show it;
 * - the webhook health summary needs no index of its own: it reads the delivery indexes that
 *   exist (a delivery id is `dlv_` + a ULID, so id order is creation order), and every index
 *   added to `webhook_deliveries` would cost each of its many writes;
 * - a change to a tenant's settings is announced on `herald_tenant_settings` (payload: the
 *   tenant), so the delivery workers drop their cached copy at once.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const scopes = (list: string[]): string => `ARRAY[${list.map((s) => `'${s}'`).join(',')}]::text[]`;
// As 1764766800000-key-management-scopes left them.
const BEFORE = [
  'events:read',
  'users:read',
  'posts:read',
  'webhooks:read',
  'webhooks:manage',
  'keys:read',
  'keys:manage',
];
const AFTER = [...BEFORE, 'audit:read', 'settings:read', 'settings:manage'];

async function setScopes(q: QueryRunner, list: string[]): Promise<void> {
  const rows = (await q.query(
    `SELECT conname FROM pg_constraint
      WHERE contype = 'c' AND conrelid = 'api_keys'::regclass AND pg_get_constraintdef(oid) LIKE '%scopes%'`,
  )) as Array<{ conname: string }>;
  for (const { conname } of rows) await q.query(`ALTER TABLE api_keys DROP CONSTRAINT "${conname}"`);
  await q.query(`
    ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check
      CHECK (cardinality(scopes) > 0 AND scopes <@ ${scopes(list)})`);
}

export class ManagementApi1764770400000 implements MigrationInterface {
  name = 'ManagementApi1764770400000';

  async up(q: QueryRunner): Promise<void> {
    await setScopes(q, AFTER);

    // Newest first is (tenant, at DESC, id DESC): the existing (tenant, at, id) read backwards.
    await q.query(`CREATE INDEX audit_log_tenant_action ON audit_log (tenant, action, at, id)`);
    await q.query(
      `CREATE INDEX audit_log_tenant_target ON audit_log (tenant, target_type, target_id, at, id)`,
    );

    await q.query(`
      ALTER TABLE webhook_endpoints
        ADD COLUMN breaker_state text NOT NULL DEFAULT 'closed'
          CHECK (breaker_state IN ('closed', 'open', 'half_open')),
        ADD COLUMN breaker_changed_at timestamptz`);

    await q.query(`
      CREATE FUNCTION herald_tenant_settings_notify() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('herald_tenant_settings', CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant ELSE NEW.tenant END);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER tenant_settings_changed AFTER INSERT OR UPDATE OR DELETE ON tenant_settings
        FOR EACH ROW EXECUTE FUNCTION herald_tenant_settings_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tenant_settings_changed ON tenant_settings`);
    await q.query(`DROP FUNCTION herald_tenant_settings_notify()`);
    await q.query(`ALTER TABLE webhook_endpoints DROP COLUMN breaker_changed_at, DROP COLUMN breaker_state`);
    await q.query(`DROP INDEX audit_log_tenant_target`);
    await q.query(`DROP INDEX audit_log_tenant_action`);
    // Refused while a key holds one of these scopes, rather than silently taking it away.
    const [held] = (await q.query(
      `SELECT count(*)::int AS n FROM api_keys WHERE NOT (scopes <@ ${scopes(BEFORE)})`,
    )) as Array<{ n: number }>;
    if (held && held.n > 0) {
      throw new Error(
        `${held.n} API key(s) hold audit:read, settings:read or settings:manage: remove those scopes first`,
      );
    }
    await setScopes(q, BEFORE);
  }
}
