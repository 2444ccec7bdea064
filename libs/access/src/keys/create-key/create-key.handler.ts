/**
 * Mints a key through the same repository as `herald keys create` (same generation,
 * hashing and `api_key.created` audit row in the same transaction), after refusing any
 * scope the calling key does not hold, and a live key asked for by a test-mode key. The
 * plaintext is returned this once.
 */
import { Injectable } from '@nestjs/common';
import type { ApiCaller } from '@herald/platform';
import { credentialOf } from '../../guard/access-errors';
import type { CreateApiKeyInput } from '../api-key';
import { validateKeyInput } from '../api-key-input';
import { ApiKeysRepository } from '../api-keys.repository';
import { GetKeyQuery } from '../get-key/get-key.query';
import { keyHttpError, liveModeNotHeld, scopesNotHeld } from '../key-errors';
import { callerActor } from '../shared/caller-actor';
import type { ApiKeyWithSecretResponseDto } from '../shared/api-key.response.dto';
import type { CreateApiKeyRequestDto } from './create-key.request.dto';

@Injectable()
export class CreateKeyHandler {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly get: GetKeyQuery,
  ) {}

  async execute(caller: ApiCaller, req: CreateApiKeyRequestDto): Promise<ApiKeyWithSecretResponseDto> {
    try {
      // A test-mode key mints test-mode keys (its default too); a console session, either.
      const callerMode = caller.keyId
        ? (await this.get.execute(caller.tenant, caller.keyId)).mode
        : undefined;
      const input = toKeyInput(caller, { ...req, mode: req.mode ?? callerMode });
      const valid = validateKeyInput(input);
      const missing = valid.scopes.filter((s) => !caller.scopes.includes(s));
      if (missing.length > 0) throw scopesNotHeld(valid.scopes, missing, credentialOf(caller));
      if (callerMode === 'test' && valid.mode === 'live') throw liveModeNotHeld();
      const created = await this.repo.create(input);
      // Read back in the public form (times to the microsecond, as every later read shows them).
      return { ...(await this.get.execute(caller.tenant, created.id)), key: created.key };
    } catch (err) {
      throw keyHttpError(err);
    }
  }
}

export function toKeyInput(caller: ApiCaller, req: CreateApiKeyRequestDto): CreateApiKeyInput {
  return {
    tenant: caller.tenant,
    scopes: req.scopes,
    mode: req.mode,
    label: req.label,
    // The DTO admitted only RFC 3339 times, which Date reads (to the millisecond).
    expiresAt: req.expires_at === undefined ? undefined : new Date(req.expires_at),
    rateLimitPerMinute: req.rate_limit_per_minute,
    dailyQuota: req.daily_quota,
    actor: callerActor(caller),
  };
}
