/** `GET /api/v1/keys`: the tenant's keys in id order (creation order), keyset-paginated. */
import { Injectable } from '@nestjs/common';
import {
  CursorCodec,
  CursorScope,
  DEFAULT_LIMIT,
  keysetClause,
  ListPage,
  readAsTenant,
  startKey,
  toTextPage,
} from '@herald/platform';
import { DataSource } from 'typeorm';
import {
  API_KEY_COLUMNS,
  ApiKeyItemRow,
  apiKeyItem,
  apiKeysWithUsage,
  usageWindowStart,
} from '../shared/api-key.item';
import type { ApiKeyResponseDto } from '../shared/api-key.response.dto';
import type { KeyStatus, ListKeysRequestDto } from './list-keys.request.dto';

export const KEYS_ROUTE = 'GET /api/v1/keys';

const STATUS_WHERE: Record<KeyStatus | 'any', string> = {
  any: 'true',
  active: 'k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())',
  revoked: 'k.revoked_at IS NOT NULL',
  expired: 'k.revoked_at IS NULL AND k.expires_at <= now()',
};

@Injectable()
export class ListKeysQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  async execute(
    tenant: string,
    req: ListKeysRequestDto,
    now = Date.now(),
  ): Promise<ListPage<ApiKeyResponseDto>> {
    const limit = req.limit ?? DEFAULT_LIMIT;
    const order = req.order ?? 'asc';
    const scope: CursorScope = { tenant, route: KEYS_ROUTE, query: { order, status: req.status } };
    const start = startKey(this.codec, scope, req.cursor);
    const params: unknown[] = [tenant, new Date(usageWindowStart(now))];
    const keyset = keysetClause('k.id', order, start, params);
    // The page size is written into the SQL (a validated integer); the status is one of a fixed set.
    const rows = await readAsTenant<ApiKeyItemRow>(
      this.ds,
      tenant,
      `SELECT ${API_KEY_COLUMNS} FROM ${apiKeysWithUsage('$2')}
        WHERE k.tenant = $1 AND ${STATUS_WHERE[req.status ?? 'any']} AND ${keyset.where}
        ORDER BY k.id ${keyset.dir} LIMIT ${limit + 1}`,
      params,
    );
    return toTextPage(rows, {
      limit,
      order,
      start,
      codec: this.codec,
      scope,
      keyOf: (r) => r.id,
      itemOf: apiKeyItem,
    });
  }
}
