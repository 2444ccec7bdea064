/** `moderation.user.unbanned`: a moderator lifted a ban; published as `moderation.user_unbanned`. */
import type { CommandEnvelope } from '../../shared';

export const UNBAN_USER_KIND = 'moderation.user.unbanned';

/** The required data of `moderation.user.unbanned` (DESIGN.md §5). */
export type UnbanUserData = {
  user_id: number;
  moderator_id: number;
};

export type UnbanUserCommand = CommandEnvelope & UnbanUserData;
