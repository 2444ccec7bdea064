/** `GET /api/v1/posts/{id}`: one post of the tenant, by id. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { POSTS } from '../shared/post.item';
import type { PostResponseDto } from '../shared/post.response.dto';
import { POST_NOT_FOUND } from '../shared/query-errors';
import { findSubject } from '../shared/subject-table';

@Injectable()
export class GetPostQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string): Promise<PostResponseDto> {
    const item = await findSubject(this.ds, tenant, id, POSTS);
    // Another tenant's post is as absent as one that never existed.
    if (!item) throw POST_NOT_FOUND.error(`no post ${id}`);
    return item;
  }
}
