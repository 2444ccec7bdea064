/** `GET /api/v1/users` (scope `users:read`). */
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, CachedRead, Caller, Enveloped, PublicApi, RequireScopes } from '@herald/platform';
import { UserResponseDto } from '../shared/user.response.dto';
import { ListUsersQuery } from './list-users.query';
import { ListUsersRequestDto } from './list-users.request.dto';

@PublicApi()
@Controller('api/v1/users')
export class ListUsersHttpController {
  constructor(private readonly query: ListUsersQuery) {}

  @Get()
  @CachedRead()
  @ApiOkResponse({ type: UserResponseDto, isArray: true })
  @RequireScopes('users:read')
  async listUsers(
    @Caller() caller: ApiCaller,
    @Query() params: ListUsersRequestDto,
  ): Promise<Enveloped<UserResponseDto[]>> {
    const page = await this.query.execute(caller.tenant, params);
    return new Enveloped(page.items, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
