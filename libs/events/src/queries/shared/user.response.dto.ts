/**
 * An item of the users read model. Times are RFC 3339 UTC with six fractional digits;
 * fields no event has set yet are null.
 */
export class UserResponseDto {
  id!: number;

  username!: string | null;

  display_name!: string | null;

  /** When the user joined (`user.joined`). */
  joined_at!: string | null;

  /**
   * Null when not banned. A permanent ban reads `9999-12-31T23:59:59.999999Z`, the last
   * time RFC 3339 can write; a time in the past is a ban that has run out.
   */
  banned_until!: string | null;

  /** When the last event about this user happened. */
  updated_at!: string;
}
