/** `POST /internal/v1/tenants/:tenant/accounts/register-user` appends `account.user.registered`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { RegisterUserHandler } from './register-user.handler';
import { RegisterUserRequestDto } from './register-user.request.dto';

@CommandController('accounts', 'register-user')
export class RegisterUserHttpController {
  constructor(private readonly handler: RegisterUserHandler) {}

  @CommandEndpoint()
  registerUser(
    @TenantParam() tenant: string,
    @Body() body: RegisterUserRequestDto,
  ): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
