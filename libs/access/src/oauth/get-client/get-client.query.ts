/** `GET /api/v1/clients/{id}`: one OAuth client of the tenant, by id, with its last 24 h of usage. */
import { Injectable } from '@nestjs/common';
import { readAsTenant } from '@herald/platform';
import { DataSource } from 'typeorm';
import { usageWindowStart } from '../../keys/shared/api-key.item';
import { OAUTH_CLIENT_NOT_FOUND } from '../client-errors';
import {
  OAUTH_CLIENT_COLUMNS,
  OAuthClientItemRow,
  oauthClientItem,
  oauthClientsWithUsage,
} from '../shared/oauth-client.item';
import type { OAuthClientResponseDto } from '../shared/oauth-client.response.dto';

@Injectable()
export class GetClientQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string, now = Date.now()): Promise<OAuthClientResponseDto> {
    const [row] = await readAsTenant<OAuthClientItemRow>(
      this.ds,
      tenant,
      `SELECT ${OAUTH_CLIENT_COLUMNS} FROM ${oauthClientsWithUsage('$2')} WHERE c.tenant = $1 AND c.id = $3`,
      [tenant, new Date(usageWindowStart(now)), id],
      { prepare: true },
    );
    // Another tenant's client is as absent as one that never existed (row-level security sees to it).
    if (!row) throw OAUTH_CLIENT_NOT_FOUND.error(`no OAuth client ${id}`);
    return oauthClientItem(row);
  }
}
