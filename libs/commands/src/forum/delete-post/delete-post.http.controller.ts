/** `POST /internal/v1/tenants/:tenant/forum/delete-post` appends `forum.post.deleted`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { DeletePostHandler } from './delete-post.handler';
import { DeletePostRequestDto } from './delete-post.request.dto';

@CommandController('forum', 'delete-post')
export class DeletePostHttpController {
  constructor(private readonly handler: DeletePostHandler) {}

  @CommandEndpoint()
  deletePost(@TenantParam() tenant: string, @Body() body: DeletePostRequestDto): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
