/**
 * Revokes an OAuth client through the same repository as `herald clients revoke`: its
 * tokens deleted and the `oauth_client.revoked` audit row in the same transaction, and the
 * answer only once every live gateway has dropped its tokens, so the very next request
 * with one is refused anywhere. Revoking a revoked client changes nothing and answers the
 * client as it is.
 */
import { Injectable } from '@nestjs/common';
import type { ApiCaller } from '@herald/platform';
import { callerActor } from '../../keys/shared/caller-actor';
import { clientHttpError } from '../client-errors';
import { OAuthClientsRepository } from '../oauth-clients.repository';
import { GetClientQuery } from '../get-client/get-client.query';
import type { OAuthClientResponseDto } from '../shared/oauth-client.response.dto';

@Injectable()
export class RevokeClientHandler {
  constructor(
    private readonly repo: OAuthClientsRepository,
    private readonly get: GetClientQuery,
  ) {}

  async execute(caller: ApiCaller, id: string): Promise<OAuthClientResponseDto> {
    try {
      await this.repo.revoke(caller.tenant, id, callerActor(caller));
    } catch (err) {
      throw clientHttpError(err);
    }
    return this.get.execute(caller.tenant, id);
  }
}
