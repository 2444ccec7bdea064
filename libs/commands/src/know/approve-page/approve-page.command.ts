/** `know.page.approved`: a knowledge-base page was approved; its first approval becomes `page.created`. */
import type { CommandEnvelope } from '../../shared';

export const APPROVE_PAGE_KIND = 'know.page.approved';

/** The required data of `know.page.approved` (DESIGN.md §5). */
export type ApprovePageData = {
  page_id: number;
  slug: string;
  title: string;
  approver_id: number;
};

export type ApprovePageCommand = CommandEnvelope & ApprovePageData;
