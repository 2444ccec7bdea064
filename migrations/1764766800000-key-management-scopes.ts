/**
 * The scopes of the key management routes (`keys:read`, `keys:manage`): the check on
 * `api_keys.scopes` admits them. Reverting refuses while a key still holds one, rather
 * than silently taking a permission away from it.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `ARRAY['events:read','users:read','posts:read','webhooks:read','webhooks:manage']::text[]`;
const AFTER = `ARRAY['events:read','users:read','posts:read','webhooks:read','webhooks:manage',
                     'keys:read','keys:manage']::text[]`;

export class KeyManagementScopes1764766800000 implements MigrationInterface {
  name = 'KeyManagementScopes1764766800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check`);
    await q.query(`
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check
        CHECK (cardinality(scopes) > 0 AND scopes <@ ${AFTER})`);
  }

  async down(q: QueryRunner): Promise<void> {
    const [held] = (await q.query(
      `SELECT count(*)::int AS n FROM api_keys WHERE NOT scopes <@ ${BEFORE}`,
    )) as Array<{ n: number }>;
    if (held && held.n > 0) {
      throw new Error(`${held.n} API key(s) hold keys:read or keys:manage: remove those scopes first`);
    }
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check`);
    await q.query(`
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check
        CHECK (cardinality(scopes) > 0 AND scopes <@ ${BEFORE})`);
  }
}
