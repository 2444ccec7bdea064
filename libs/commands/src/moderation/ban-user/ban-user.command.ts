/** `moderation.user.banned`: a moderator banned a user until a time, or for good (`until: null`); published as `moderation.user_banned` (without the reason). */
import type { CommandEnvelope } from '../../shared';

export const BAN_USER_KIND = 'moderation.user.banned';

/** The required data of `moderation.user.banned` (DESIGN.md §5); † fields are internal and never published. */
export type BanUserData = {
  user_id: number;
  moderator_id: number;
  reason: string; // †
  until: string | null;
};

export type BanUserCommand = CommandEnvelope & BanUserData;
