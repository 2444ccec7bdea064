/** Query of `GET /api/v1/posts`: paging only (`limit`, `cursor`, `order` by id). */
import { ListRequestDto } from '@herald/platform';

export class ListPostsRequestDto extends ListRequestDto {}
