/**
 * `GET /api/v1/clients/{id}/usage`: the requests and errors of the client's tokens per UTC
 * hour over the last 24 hours, from the usage log (written by the gateways every few
 * seconds, so the current hour lags by that much).
 */
import { Injectable } from '@nestjs/common';
import { readAsTenant } from '@herald/platform';
import { DataSource } from 'typeorm';
import { hourlyBuckets, UsageHourRow } from '../../keys/get-key-usage/usage-buckets';
import { usageWindowStart } from '../../keys/shared/api-key.item';
import { OAUTH_CLIENT_NOT_FOUND } from '../client-errors';
import type { ClientUsageResponseDto } from './client-usage.response.dto';

interface UsageRow {
  id: string;
  last_seen_at: string | null;
  hours: UsageHourRow[];
}

@Injectable()
export class GetClientUsageQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string, now = Date.now()): Promise<ClientUsageResponseDto> {
    const windowStart = usageWindowStart(now);
    const [row] = await readAsTenant<UsageRow>(
      this.ds,
      tenant,
      `SELECT c.id,
              to_char(c.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last_seen_at,
              coalesce((SELECT json_agg(json_build_object(
                                 'hour', (extract(epoch FROM x.hour) * 1000)::bigint,
                                 'requests', x.requests, 'errors', x.errors))
                        FROM oauth_client_usage x
                        WHERE x.client_id = c.id AND x.tenant = c.tenant AND x.hour >= $2), '[]') AS hours
       FROM oauth_clients c WHERE c.tenant = $1 AND c.id = $3`,
      [tenant, new Date(windowStart), id],
      { prepare: true },
    );
    // Another tenant's client is as absent as one that never existed (row-level security sees to it).
    if (!row) throw OAUTH_CLIENT_NOT_FOUND.error(`no OAuth client ${id}`);
    return { client_id: row.id, ...hourlyBuckets(windowStart, row.hours), last_seen_at: row.last_seen_at };
  }
}
