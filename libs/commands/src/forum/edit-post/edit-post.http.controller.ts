/** `POST /internal/v1/tenants/:tenant/forum/edit-post` appends `forum.post.edited`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { EditPostHandler } from './edit-post.handler';
import { EditPostRequestDto } from './edit-post.request.dto';

@CommandController('forum', 'edit-post')
export class EditPostHttpController {
  constructor(private readonly handler: EditPostHandler) {}

  @CommandEndpoint()
  editPost(@TenantParam() tenant: string, @Body() body: EditPostRequestDto): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
