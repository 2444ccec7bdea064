/** `GET /api/v1/users/{id}` (scope `users:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiCaller, CachedRead, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { USER_NOT_FOUND } from '../shared/query-errors';
import { UserResponseDto } from '../shared/user.response.dto';
import { GetUserQuery } from './get-user.query';
import { GetUserParamsDto } from './get-user.request.dto';

@PublicApi()
@Controller('api/v1/users')
export class GetUserHttpController {
  constructor(private readonly query: GetUserQuery) {}

  @Get(':id')
  @CachedRead()
  @ApiErrors(USER_NOT_FOUND)
  @RequireScopes('users:read')
  getUser(@Caller() caller: ApiCaller, @Param() params: GetUserParamsDto): Promise<UserResponseDto> {
    return this.query.execute(caller.tenant, params.id);
  }
}
