/** The usage of one OAuth client's tokens over the last 24 hours, hour by hour (UTC). */
import { KeyUsageHourDto } from '../../keys/get-key-usage/key-usage.response.dto';
import { ApiKeyUsageTotalsDto } from '../../keys/shared/api-key.response.dto';

export class ClientUsageResponseDto {
  /** The client, `client_` + a ULID. */
  client_id!: string;

  /** The 24 hours, oldest first, ending with the current one; hours without requests count 0. */
  buckets!: KeyUsageHourDto[];

  /** The sums of the 24 buckets. */
  totals!: ApiKeyUsageTotalsDto;

  /** The last authenticated request ever made with one of its tokens (not only in this window); null if never used. */
  last_seen_at!: string | null;
}
