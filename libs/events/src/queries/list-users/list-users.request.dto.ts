/** Query of `GET /api/v1/users`: paging only (`limit`, `cursor`, `order` by id). */
import { ListRequestDto } from '@herald/platform';

export class ListUsersRequestDto extends ListRequestDto {}
