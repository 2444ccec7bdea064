/**
 * `:id` of a user or a post: a positive integer, as in the event catalog. At most 18
 * digits, so it always fits a bigint and the lookup can never overflow.
 */
import { Matches } from 'class-validator';

export class SubjectIdParamsDto {
  /** A positive integer. */
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'id must be a positive integer' })
  id!: string;
}
