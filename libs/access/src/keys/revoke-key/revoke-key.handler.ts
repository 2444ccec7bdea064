/**
 * Revokes a key through the same repository as `herald keys revoke`: the `api_key.revoked`
 * audit row in the same transaction, and the answer only once every live gateway has
 * dropped the key from its cache, so the very next request with it is refused anywhere.
 * Revoking a revoked key changes nothing and answers the key as it is.
 */
import { Injectable } from '@nestjs/common';
import type { ApiCaller } from '@herald/platform';
import { ApiKeysRepository } from '../api-keys.repository';
import { GetKeyQuery } from '../get-key/get-key.query';
import { keyHttpError } from '../key-errors';
import { callerActor } from '../shared/caller-actor';
import type { ApiKeyResponseDto } from '../shared/api-key.response.dto';

@Injectable()
export class RevokeKeyHandler {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly get: GetKeyQuery,
  ) {}

  async execute(caller: ApiCaller, id: string): Promise<ApiKeyResponseDto> {
    try {
      await this.repo.revoke(caller.tenant, id, callerActor(caller));
    } catch (err) {
      throw keyHttpError(err);
    }
    return this.get.execute(caller.tenant, id);
  }
}
