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

/** The event data, field by field, so nothing else of the command (tenant, ids, extras) slips in. */
export function registerUserData(command: RegisterUserData): RegisterUserData {
  return {
    user_id: command.user_id,
    username: command.username,
    email: command.email,
    ip: command.ip,
  };
}
