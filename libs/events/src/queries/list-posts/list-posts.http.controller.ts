/** `GET /api/v1/posts` (scope `posts:read`). */
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, CachedRead, Caller, Enveloped, PublicApi, RequireScopes } from '@herald/platform';
import { PostResponseDto } from '../shared/post.response.dto';
import { ListPostsQuery } from './list-posts.query';
import { ListPostsRequestDto } from './list-posts.request.dto';

@PublicApi()
@Controller('api/v1/posts')
export class ListPostsHttpController {
  constructor(private readonly query: ListPostsQuery) {}

  @Get()
  @CachedRead()
  @ApiOkResponse({ type: PostResponseDto, isArray: true })
  @RequireScopes('posts:read')
  async listPosts(
    @Caller() caller: ApiCaller,
    @Query() params: ListPostsRequestDto,
  ): Promise<Enveloped<PostResponseDto[]>> {
    const page = await this.query.execute(caller.tenant, params);
    return new Enveloped(page.items, { next_cursor: page.next_cursor, has_more: page.has_more });
  }
}
