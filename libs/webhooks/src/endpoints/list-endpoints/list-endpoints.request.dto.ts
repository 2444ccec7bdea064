/** Query of `GET /api/v1/webhooks`: paging only (`limit`, `cursor`, `order` by creation). */
import { ListRequestDto } from '@herald/platform';

export class ListWebhooksRequestDto extends ListRequestDto {}
