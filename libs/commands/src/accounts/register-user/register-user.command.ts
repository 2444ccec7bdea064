/** `account.user.registered`: a user registered (SSO callback or sign-up); published as `user.joined`. */
import type { CommandEnvelope } from '../../shared';

export const REGISTER_USER_KIND = 'account.user.registered';

/** The required data of `account.user.registered` (DESIGN.md §5); † fields are internal and never published. */
export type RegisterUserData = {
  user_id: number;
  username: string;
  email: string; // †
  ip: string; // †
};

export type RegisterUserCommand = CommandEnvelope & RegisterUserData;
