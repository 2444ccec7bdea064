/**
 * A version per tenant of the endpoints events are matched against. The dispatcher keeps
 * each tenant's active endpoints in memory and, instead of reading them before every call,
 * checks in the same statement that writes the call's deliveries that the tenant's version
 * is still the one it matched with: a round trip less per call. The check reads the
 * version in the statement's snapshot, taken after the call's events were appended, so an
 * endpoint created, changed or deleted before an event was appended is always seen.
 *
 * Every change that can change what an event matches (an endpoint inserted or deleted; its
 * tenant, event types, filters, active flag or creation time updated) sets the tenant's
 * version to the next value of a sequence, in the same transaction. A sequence never gives
 * a value twice, so a version equal to the one cached means nothing changed since it was
 * read. A tenant without a row has version 0. Only the owner reads or writes the table: the
 * trigger runs as the owner, so the API's role needs no privilege on it.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class EndpointVersions1765267200000 implements MigrationInterface {
  name = 'EndpointVersions1765267200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE webhook_endpoint_version_seq`);
    await q.query(`
      CREATE TABLE webhook_endpoint_versions (
        tenant   text PRIMARY KEY,
        version  bigint NOT NULL
      )`);
    await q.query(`
      CREATE FUNCTION herald_webhook_endpoint_version() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        INSERT INTO webhook_endpoint_versions AS v (tenant, version)
        SELECT t.tenant, nextval('webhook_endpoint_version_seq')
          FROM (SELECT DISTINCT x.tenant
                  FROM (SELECT CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.tenant END
                        UNION ALL
                        SELECT CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.tenant END) AS x(tenant)
                 WHERE x.tenant IS NOT NULL) t
        ON CONFLICT (tenant) DO UPDATE SET version = EXCLUDED.version;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER webhook_endpoints_version_added AFTER INSERT OR DELETE ON webhook_endpoints
        FOR EACH ROW EXECUTE FUNCTION herald_webhook_endpoint_version()`);
    // Breaker, health and secret updates leave matching as it was: no new version.
    await q.query(`
      CREATE TRIGGER webhook_endpoints_version_changed AFTER UPDATE ON webhook_endpoints
        FOR EACH ROW
        WHEN (OLD.tenant IS DISTINCT FROM NEW.tenant OR OLD.events IS DISTINCT FROM NEW.events
              OR OLD.filters IS DISTINCT FROM NEW.filters OR OLD.active IS DISTINCT FROM NEW.active
              OR OLD.created_at IS DISTINCT FROM NEW.created_at)
        EXECUTE FUNCTION herald_webhook_endpoint_version()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER webhook_endpoints_version_changed ON webhook_endpoints`);
    await q.query(`DROP TRIGGER webhook_endpoints_version_added ON webhook_endpoints`);
    await q.query(`DROP FUNCTION herald_webhook_endpoint_version()`);
    await q.query(`DROP TABLE webhook_endpoint_versions`);
    await q.query(`DROP SEQUENCE webhook_endpoint_version_seq`);
  }
}
