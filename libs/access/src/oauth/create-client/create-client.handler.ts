/**
 * Creates an OAuth client through the same repository as `herald clients create` (same
 * secret generation, hashing and `oauth_client.created` audit row in the same
 * transaction), after refusing any scope the caller does not hold, and any client to a
 * test-mode key (a client's tokens are live credentials). The secret is returned this once.
 */
import { Injectable } from '@nestjs/common';
import type { ApiCaller } from '@herald/platform';
import { credentialOf } from '../../guard/access-errors';
import { validateKeyInput } from '../../keys/api-key-input';
import { GetKeyQuery } from '../../keys/get-key/get-key.query';
import { scopesNotHeld } from '../../keys/key-errors';
import { callerActor } from '../../keys/shared/caller-actor';
import { clientHttpError, liveClientNotHeld } from '../client-errors';
import type { CreateOAuthClientInput } from '../oauth-client';
import { OAuthClientsRepository } from '../oauth-clients.repository';
import { GetClientQuery } from '../get-client/get-client.query';
import type { OAuthClientWithSecretResponseDto } from '../shared/oauth-client.response.dto';
import type { CreateOAuthClientRequestDto } from './create-client.request.dto';

@Injectable()
export class CreateClientHandler {
  constructor(
    private readonly repo: OAuthClientsRepository,
    private readonly get: GetClientQuery,
    private readonly getKey: GetKeyQuery,
  ) {}

  async execute(
    caller: ApiCaller,
    req: CreateOAuthClientRequestDto,
  ): Promise<OAuthClientWithSecretResponseDto> {
    try {
      const input = toClientInput(caller, req);
      const valid = validateKeyInput(input);
      const missing = valid.scopes.filter((s) => !caller.scopes.includes(s));
      if (missing.length > 0) throw scopesNotHeld(valid.scopes, missing, credentialOf(caller));
      // A token or a console session has no key, and is live.
      if (caller.keyId && (await this.getKey.execute(caller.tenant, caller.keyId)).mode === 'test') {
        throw liveClientNotHeld();
      }
      const created = await this.repo.create(input);
      // Read back in the public form (times to the microsecond, as every later read shows them).
      const view = await this.get.execute(caller.tenant, created.id);
      return { ...view, client_id: created.id, client_secret: created.secret };
    } catch (err) {
      throw clientHttpError(err);
    }
  }
}

export function toClientInput(caller: ApiCaller, req: CreateOAuthClientRequestDto): CreateOAuthClientInput {
  return { tenant: caller.tenant, scopes: req.scopes, label: req.label, actor: callerActor(caller) };
}
