/**
 * An index on `oauth_tokens (expires_at)`, for the gateways' sweep of expired tokens
 * (libs/access/src/oauth/expired-token-sweeper.ts): each batch finds its rows by expiry
 * across all clients and tenants, which the (client_id, expires_at) index cannot serve.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class OAuthTokenExpiry1764788400000 implements MigrationInterface {
  name = 'OAuthTokenExpiry1764788400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX oauth_tokens_expiry`);
  }
}
