/** The body of `approve-page`: exactly the required data of `know.page.approved`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField, MaxChars, TextField } from '../../shared';
import { ApprovePageData } from './approve-page.command';

export class ApprovePageRequestDto extends CommandRequestDto implements ApprovePageData {
  @IdField()
  page_id!: number;

  @TextField(MaxChars.slug)
  slug!: string;

  @TextField(MaxChars.title)
  title!: string;

  @IdField()
  approver_id!: number;
}
