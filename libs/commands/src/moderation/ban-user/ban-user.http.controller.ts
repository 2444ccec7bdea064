/** `POST /internal/v1/tenants/:tenant/moderation/ban-user` appends `moderation.user.banned`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { BanUserHandler } from './ban-user.handler';
import { BanUserRequestDto } from './ban-user.request.dto';

@CommandController('moderation', 'ban-user')
export class BanUserHttpController {
  constructor(private readonly handler: BanUserHandler) {}

  @CommandEndpoint()
  banUser(@TenantParam() tenant: string, @Body() body: BanUserRequestDto): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
