/**
 * An item of the posts read model. Times are RFC 3339 UTC with six fractional digits;
 * fields no event has set yet are null (a post edited or deleted before its creation
 * was seen has no author).
 */
export class PostAuthorResponseDto {
  id!: number;

  username!: string | null;
}

export class PostResponseDto {
  id!: number;

  thread_id!: number | null;

  forum_slug!: string | null;

  title!: string | null;

  author!: PostAuthorResponseDto | null;

  /** When the post was created (`post.created`). */
  created_at!: string | null;

  /** When the last event about this post happened. */
  updated_at!: string;

  /** Deleted posts stay in the list, flagged. */
  deleted!: boolean;
}
