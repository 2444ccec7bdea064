/** `GET /api/v1/keys/{id}`: one key of the tenant, by id, with its last 24 h of usage. */
import { Injectable } from '@nestjs/common';
import { readAsTenant } from '@herald/platform';
import { DataSource } from 'typeorm';
import { API_KEY_NOT_FOUND } from '../key-errors';
import {
  API_KEY_COLUMNS,
  ApiKeyItemRow,
  apiKeyItem,
  apiKeysWithUsage,
  usageWindowStart,
} from '../shared/api-key.item';
import type { ApiKeyResponseDto } from '../shared/api-key.response.dto';

@Injectable()
export class GetKeyQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string, now = Date.now()): Promise<ApiKeyResponseDto> {
    const [row] = await readAsTenant<ApiKeyItemRow>(
      this.ds,
      tenant,
      `SELECT ${API_KEY_COLUMNS} FROM ${apiKeysWithUsage('$2')} WHERE k.tenant = $1 AND k.id = $3`,
      [tenant, new Date(usageWindowStart(now)), id],
      { prepare: true },
    );
    // Another tenant's key is as absent as one that never existed (row-level security sees to it).
    if (!row) throw API_KEY_NOT_FOUND.error(`no API key ${id}`);
    return apiKeyItem(row);
  }
}
