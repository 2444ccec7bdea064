/** `account.user.updated`: a user changed their profile; published as `user.updated`. */
import type { CommandEnvelope } from '../../shared';

export const UPDATE_USER_KIND = 'account.user.updated';

/** The required data of `account.user.updated` (DESIGN.md §5); † fields are internal and never published. */
export type UpdateUserData = {
  user_id: number;
  username: string;
  display_name: string;
  email: string; // †
};

export type UpdateUserCommand = CommandEnvelope & UpdateUserData;

/** The event data, field by field, so nothing else of the command (tenant, ids, extras) slips in. */
export function updateUserData(command: UpdateUserData): UpdateUserData {
  return {
    user_id: command.user_id,
    username: command.username,
    display_name: command.display_name,
    email: command.email,
  };
}
