/**
 * `GET /api/v1/clients/{id}/usage`: the requests and errors of the client's tokens per UTC
 * hour over the last 24 hours, from the usage log (written by the gateways every few
 * seconds, so the current hour lags by that much).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readCredentialUsage } from '../../keys/get-key-usage/usage-buckets';
import { OAUTH_CLIENT_NOT_FOUND } from '../client-errors';
import type { ClientUsageResponseDto } from './client-usage.response.dto';

@Injectable()
export class GetClientUsageQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string, now = Date.now()): Promise<ClientUsageResponseDto> {
    const usage = await readCredentialUsage(
      this.ds,
      { table: 'oauth_clients', log: 'oauth_client_usage', logId: 'client_id' },
      tenant,
      id,
      now,
    );
    // Another tenant's client is as absent as one that never existed (row-level security sees to it).
    if (!usage) throw OAUTH_CLIENT_NOT_FOUND.error(`no OAuth client ${id}`);
    const { id: client_id, ...rest } = usage;
    return { client_id, ...rest };
  }
}
