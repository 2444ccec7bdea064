/** `POST /internal/v1/tenants/:tenant/moderation/unban-user` appends `moderation.user.unbanned`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { UnbanUserHandler } from './unban-user.handler';
import { UnbanUserRequestDto } from './unban-user.request.dto';

@CommandController('moderation', 'unban-user')
export class UnbanUserHttpController {
  constructor(private readonly handler: UnbanUserHandler) {}

  @CommandEndpoint()
  unbanUser(@TenantParam() tenant: string, @Body() body: UnbanUserRequestDto): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
