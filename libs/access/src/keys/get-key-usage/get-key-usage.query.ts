/**
 * `GET /api/v1/keys/{id}/usage`: the key's requests and errors per UTC hour over the last
 * 24 hours, from the usage log (written by the gateways every few seconds, so the current
 * hour lags by that much).
 */
import { Injectable } from '@nestjs/common';
import { readAsTenant } from '@herald/platform';
import { DataSource } from 'typeorm';
import { API_KEY_NOT_FOUND } from '../key-errors';
import { usageWindowStart } from '../shared/api-key.item';
import type { KeyUsageResponseDto } from './key-usage.response.dto';
import { hourlyBuckets, UsageHourRow } from './usage-buckets';

interface UsageRow {
  id: string;
  last_seen_at: string | null;
  hours: UsageHourRow[];
}

@Injectable()
export class GetKeyUsageQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string, now = Date.now()): Promise<KeyUsageResponseDto> {
    const windowStart = usageWindowStart(now);
    const [row] = await readAsTenant<UsageRow>(
      this.ds,
      tenant,
      `SELECT k.id,
              to_char(k.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last_seen_at,
              coalesce((SELECT json_agg(json_build_object(
                                 'hour', (extract(epoch FROM x.hour) * 1000)::bigint,
                                 'requests', x.requests, 'errors', x.errors))
                        FROM api_key_usage x
                        WHERE x.key_id = k.id AND x.tenant = k.tenant AND x.hour >= $2), '[]') AS hours
       FROM api_keys k WHERE k.tenant = $1 AND k.id = $3`,
      [tenant, new Date(windowStart), id],
      { prepare: true },
    );
    // Another tenant's key is as absent as one that never existed (row-level security sees to it).
    if (!row) throw API_KEY_NOT_FOUND.error(`no API key ${id}`);
    return { key_id: row.id, ...hourlyBuckets(windowStart, row.hours), last_seen_at: row.last_seen_at };
  }
}
