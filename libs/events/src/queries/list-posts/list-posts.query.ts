/** `GET /api/v1/posts`: the tenant's forum posts (read model; deleted posts stay, flagged), keyset-paginated by id. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CursorCodec } from '@herald/platform';
import type { ListPage } from '../shared/keyset';
import type { ListRequestDto } from '@herald/platform';
import { POSTS } from '../shared/post.item';
import type { PostResponseDto } from '../shared/post.response.dto';
import { listSubjects } from '../shared/subject-table';

@Injectable()
export class ListPostsQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  execute(tenant: string, req: ListRequestDto): Promise<ListPage<PostResponseDto>> {
    return listSubjects(this.ds, this.codec, tenant, req, POSTS);
  }
}
