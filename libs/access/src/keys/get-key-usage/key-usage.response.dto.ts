/** The usage of one API key over the last 24 hours, hour by hour (UTC). */
import { ApiKeyUsageTotalsDto } from '../shared/api-key.response.dto';

export class KeyUsageHourDto {
  /** Start of the UTC hour. */
  hour!: string;

  /** Authenticated requests made with the key in that hour. */
  requests!: number;

  /** Of those, the ones answered with a status of 400 or more. */
  errors!: number;
}

export class KeyUsageResponseDto {
  /** The key, `key_` + a ULID. */
  key_id!: string;

  /** The 24 hours, oldest first, ending with the current one; hours without requests count 0. */
  buckets!: KeyUsageHourDto[];

  /** The sums of the 24 buckets. */
  totals!: ApiKeyUsageTotalsDto;

  /** The last authenticated request ever made with the key (not only in this window); null if never used. */
  last_seen_at!: string | null;
}
