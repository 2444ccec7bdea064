/** `GET /api/v1/users`: the tenant's users (read model), keyset-paginated by id. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CursorCodec } from '@herald/platform';
import type { ListPage } from '../shared/keyset';
import type { ListRequestDto } from '@herald/platform';
import { listSubjects } from '../shared/subject-table';
import { USERS } from '../shared/user.item';
import type { UserResponseDto } from '../shared/user.response.dto';

@Injectable()
export class ListUsersQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly codec: CursorCodec,
  ) {}

  execute(tenant: string, req: ListRequestDto): Promise<ListPage<UserResponseDto>> {
    return listSubjects(this.ds, this.codec, tenant, req, USERS);
  }
}
