/** The body of `apply-page-edit`: exactly the required data of `know.page.edit_applied`, plus `event_id` and `occurred_at`. */
import { CommandRequestDto, IdField, MaxChars, SafeIntField, TextField } from '../../shared';
import { ApplyPageEditData } from './apply-page-edit.command';

export class ApplyPageEditRequestDto extends CommandRequestDto implements ApplyPageEditData {
  @IdField()
  page_id!: number;

  @TextField(MaxChars.slug)
  slug!: string;

  @TextField(MaxChars.title)
  title!: string;

  @IdField()
  editor_id!: number;

  @SafeIntField()
  revision!: number;
}
