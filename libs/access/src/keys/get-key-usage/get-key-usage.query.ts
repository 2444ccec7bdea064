/**
 * `GET /api/v1/keys/{id}/usage`: the key's requests and errors per UTC hour over the last
 * 24 hours, from the usage log (written by the gateways every few seconds, so the current
 * hour lags by that much).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { API_KEY_NOT_FOUND } from '../key-errors';
import type { KeyUsageResponseDto } from './key-usage.response.dto';
import { readCredentialUsage } from './usage-buckets';

@Injectable()
export class GetKeyUsageQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string, now = Date.now()): Promise<KeyUsageResponseDto> {
    const usage = await readCredentialUsage(
      this.ds,
      { table: 'api_keys', log: 'api_key_usage', logId: 'key_id' },
      tenant,
      id,
      now,
    );
    // Another tenant's key is as absent as one that never existed (row-level security sees to it).
    if (!usage) throw API_KEY_NOT_FOUND.error(`no API key ${id}`);
    const { id: key_id, ...rest } = usage;
    return { key_id, ...rest };
  }
}
