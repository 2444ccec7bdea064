/** `GET /api/v1/posts/{id}` (scope `posts:read`). */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiCaller, CachedRead, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { PostResponseDto } from '../shared/post.response.dto';
import { POST_NOT_FOUND } from '../shared/query-errors';
import { GetPostQuery } from './get-post.query';
import { GetPostParamsDto } from './get-post.request.dto';

@PublicApi()
@Controller('api/v1/posts')
export class GetPostHttpController {
  constructor(private readonly query: GetPostQuery) {}

  @Get(':id')
  @CachedRead()
  @ApiErrors(POST_NOT_FOUND)
  @RequireScopes('posts:read')
  getPost(@Caller() caller: ApiCaller, @Param() params: GetPostParamsDto): Promise<PostResponseDto> {
    return this.query.execute(caller.tenant, params.id);
  }
}
