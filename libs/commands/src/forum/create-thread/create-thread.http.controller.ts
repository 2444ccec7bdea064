/** `POST /internal/v1/tenants/:tenant/forum/create-thread` appends `forum.thread.created`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { CreateThreadHandler } from './create-thread.handler';
import { CreateThreadRequestDto } from './create-thread.request.dto';

@CommandController('forum', 'create-thread')
export class CreateThreadHttpController {
  constructor(private readonly handler: CreateThreadHandler) {}

  @CommandEndpoint()
  createThread(
    @TenantParam() tenant: string,
    @Body() body: CreateThreadRequestDto,
  ): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
