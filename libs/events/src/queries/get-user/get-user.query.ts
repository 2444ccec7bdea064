/** `GET /api/v1/users/{id}`: one user of the tenant, by id. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { USER_NOT_FOUND } from '../shared/query-errors';
import { findSubject } from '../shared/subject-table';
import { USERS } from '../shared/user.item';
import type { UserResponseDto } from '../shared/user.response.dto';

@Injectable()
export class GetUserQuery {
  constructor(private readonly ds: DataSource) {}

  async execute(tenant: string, id: string): Promise<UserResponseDto> {
    const item = await findSubject(this.ds, tenant, id, USERS);
    // Another tenant's user is as absent as one that never existed.
    if (!item) throw USER_NOT_FOUND.error(`no user ${id}`);
    return item;
  }
}
