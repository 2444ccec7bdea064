/** `POST /internal/v1/tenants/:tenant/forum/create-post` appends `forum.post.created`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { CreatePostHandler } from './create-post.handler';
import { CreatePostRequestDto } from './create-post.request.dto';

@CommandController('forum', 'create-post')
export class CreatePostHttpController {
  constructor(private readonly handler: CreatePostHandler) {}

  @CommandEndpoint()
  createPost(@TenantParam() tenant: string, @Body() body: CreatePostRequestDto): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
