/**
 * `POST /oauth/token`: the client credentials grant (RFC 6749 §4.4) for the tenant named
 * by the Host. Answers in RFC 6749's shapes (§5.1, §5.2), not the API envelope, with
 * `Cache-Control: no-store`. Each client id may ask TOKEN_REQUESTS_PER_CLIENT times a
 * minute and a tenant's endpoint TOKEN_REQUESTS_PER_TENANT times, whatever the outcome,
 * so secrets cannot be tried at speed. An unknown tenant is the API's 404.
 */
import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HERALD_CONFIG,
  HeraldConfig,
  OAUTH_INVALID_CLIENT,
  RATE_LIMITED,
  TenantDirectory,
} from '@herald/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tenantNotFound } from '../guard/access-errors';
import { tenantFromHost } from '../guard/request-credentials';
import { RATE_LIMITER, RateLimiter } from '../rate-limit/rate-limit';
import { OAuthClientsRepository } from './oauth-clients.repository';
import { OAuthError } from './oauth-errors';
import { isWellFormedClientId } from './oauth-secret';
import { formBodyOf, TOKEN_PATH } from './oauth-form-body';
import { grantedScopes, readTokenRequest, TokenRequest } from './token-request';

export const TOKEN_REQUESTS_PER_CLIENT = 60;
export const TOKEN_REQUESTS_PER_TENANT = 600;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

@ApiExcludeController()
@Controller(TOKEN_PATH.slice(1))
export class OAuthTokenHttpController {
  constructor(
    private readonly clients: OAuthClientsRepository,
    private readonly tenants: TenantDirectory,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  @Post()
  async token(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenant = tenantFromHost(req.host, this.config.baseDomain);
    if (!tenant || !(await this.tenants.exists(tenant))) throw tenantNotFound();
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    try {
      const request = readTokenRequest(formBodyOf(req), req.headers.authorization);
      await this.limit(tenant, request, reply);
      const basic = request.method === 'client_secret_basic';
      const refused = new OAuthError(OAUTH_INVALID_CLIENT, 'unknown client or wrong secret', basic);
      const client = await this.clients.authenticate(tenant, request.clientId, request.clientSecret);
      if (!client) throw refused;
      const scopes = grantedScopes(request.scopes, client.scopes);
      const issued = await this.clients.issueToken(client, scopes, this.config.oauthTokenTtlMs);
      if (!issued) throw refused;
      const body: TokenResponse = {
        access_token: issued.accessToken,
        token_type: 'Bearer',
        expires_in: issued.expiresInSeconds,
        scope: issued.scopes.join(' '),
      };
      await reply.status(200).send(body);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      if (err.status === 401 && err.basicChallenge) {
        void reply.header('www-authenticate', 'Basic realm="herald", charset="UTF-8"');
      }
      await reply.status(err.status).send(err.body());
    }
  }

  private async limit(tenant: string, request: TokenRequest, reply: FastifyReply): Promise<void> {
    const perTenant = await this.limiter.consume(
      { tenant, id: `oauth_token:${tenant}` },
      {
        perMinute: TOKEN_REQUESTS_PER_TENANT,
        daily: null,
      },
    );
    const rate = perTenant.allowed
      ? await this.limiter.consume(
          { tenant, id: `oauth_token:${tenant}:${clientKey(request.clientId)}` },
          {
            perMinute: TOKEN_REQUESTS_PER_CLIENT,
            daily: null,
          },
        )
      : perTenant;
    void reply
      .header('ratelimit-limit', rate.limit)
      .header('ratelimit-remaining', rate.remaining)
      .header('ratelimit-reset', rate.resetSeconds);
    if (rate.allowed) return;
    void reply.header('retry-after', rate.retryAfterSeconds);
    throw new OAuthError(RATE_LIMITED, `too many token requests; retry in ${rate.retryAfterSeconds} s`);
  }
}

/** Made-up ids share one counter, so they cannot fill the limiter with keys. */
function clientKey(clientId: string): string {
  return isWellFormedClientId(clientId) ? clientId : '?';
}
