/** `GET /api/v1/clients`: the tenant's OAuth clients in id order (creation order), keyset-paginated. */
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
import { usageWindowStart } from '../../keys/shared/api-key.item';
import {
  OAUTH_CLIENT_COLUMNS,
  OAuthClientItemRow,
  oauthClientItem,
  oauthClientsWithUsage,
} from '../shared/oauth-client.item';
import type { OAuthClientResponseDto } from '../shared/oauth-client.response.dto';
import type { ClientStatus, ListClientsRequestDto } from './list-clients.request.dto';

export const CLIENTS_ROUTE = 'GET /api/v1/clients';

const STATUS_WHERE: Record<ClientStatus | 'any', string> = {
  any: 'true',
  active: 'c.revoked_at IS NULL',
  revoked: 'c.revoked_at IS NOT NULL',
};

@Injectable()
export class ListClientsQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  async execute(
    tenant: string,
    req: ListClientsRequestDto,
    now = Date.now(),
  ): Promise<ListPage<OAuthClientResponseDto>> {
    const limit = req.limit ?? DEFAULT_LIMIT;
    const order = req.order ?? 'asc';
    const scope: CursorScope = { tenant, route: CLIENTS_ROUTE, query: { order, status: req.status } };
    const start = startKey(this.codec, scope, req.cursor);
    const params: unknown[] = [tenant, new Date(usageWindowStart(now))];
    const keyset = keysetClause('c.id', order, start, params);
    // The page size is written into the SQL (a validated integer); the status is one of a fixed set.
    const rows = await readAsTenant<OAuthClientItemRow>(
      this.ds,
      tenant,
      `SELECT ${OAUTH_CLIENT_COLUMNS} FROM ${oauthClientsWithUsage('$2')}
        WHERE c.tenant = $1 AND ${STATUS_WHERE[req.status ?? 'any']} AND ${keyset.where}
        ORDER BY c.id ${keyset.dir} LIMIT ${limit + 1}`,
      params,
    );
    return toTextPage(rows, {
      limit,
      order,
      start,
      codec: this.codec,
      scope,
      keyOf: (r) => r.id,
      itemOf: oauthClientItem,
    });
  }
}
