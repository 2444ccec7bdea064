/** `POST /internal/v1/tenants/:tenant/accounts/update-user` appends `account.user.updated`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { UpdateUserHandler } from './update-user.handler';
import { UpdateUserRequestDto } from './update-user.request.dto';

@CommandController('accounts', 'update-user')
export class UpdateUserHttpController {
  constructor(private readonly handler: UpdateUserHandler) {}

  @CommandEndpoint()
  updateUser(@TenantParam() tenant: string, @Body() body: UpdateUserRequestDto): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
