/** Query of `GET /api/v1/keys`: paging (`limit`, `cursor`, `order` by creation) and `status`. */
import { IsIn, IsOptional } from 'class-validator';
import { ListRequestDto } from '@herald/platform';

export const KEY_STATUSES = ['active', 'revoked', 'expired'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

export class ListKeysRequestDto extends ListRequestDto {
  /**
   * Only keys in this state: `active` (usable: not revoked, not expired), `revoked`, or
   * `expired` (past `expires_at`, never revoked). All keys when absent.
   */
  @IsOptional()
  @IsIn(KEY_STATUSES)
  status?: KeyStatus;
}
