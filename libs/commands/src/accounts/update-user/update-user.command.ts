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
