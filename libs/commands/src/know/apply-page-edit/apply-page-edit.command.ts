/** `know.page.edit_applied`: an edit of a knowledge-base page was applied; published as `page.updated`. */
import type { CommandEnvelope } from '../../shared';

export const APPLY_PAGE_EDIT_KIND = 'know.page.edit_applied';

/** The required data of `know.page.edit_applied` (DESIGN.md §5). */
export type ApplyPageEditData = {
  page_id: number;
  slug: string;
  title: string;
  editor_id: number;
  revision: number;
};

export type ApplyPageEditCommand = CommandEnvelope & ApplyPageEditData;
