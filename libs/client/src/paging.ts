/**
 * Walking cursor-paginated lists. In oldest-first order the last page still carries a
 * `next_cursor` (with `has_more: false`), so a walker ends with a cursor to keep: start a
 * new walk from it later and it yields only what came since.
 */
import type { ApiResult, ListMeta } from './generated/api';

export type PageFetcher<T> = (cursor: string | undefined) => Promise<ApiResult<T[], ListMeta>>;

export class ListWalker<T> implements AsyncIterable<T> {
  private position: string | undefined;

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    startCursor?: string,
  ) {
    this.position = startCursor;
  }

  /**
   * Where to resume: the `next_cursor` of the last page whose items were all yielded (or the
   * start cursor). A walk left in the middle of a page resumes at that page, so items can
   * repeat, never be skipped; dedupe on `id`.
   */
  get cursor(): string | undefined {
    return this.position;
  }

  /** Each page as Herald answered it, until `has_more` is false. */
  async *pages(): AsyncGenerator<ApiResult<T[], ListMeta>> {
    for (;;) {
      const page = await this.fetchPage(this.position);
      const next = page.meta.next_cursor ?? undefined;
      yield page;
      if (next !== undefined) this.position = next;
      if (!page.meta.has_more || next === undefined) return;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) {
      yield* page.data;
    }
  }

  /** Every item, in order, as one array. */
  async all(): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) out.push(item);
    return out;
  }
}
