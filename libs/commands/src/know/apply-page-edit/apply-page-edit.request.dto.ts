/** The body of `apply-page-edit`: exactly the required data of `know.page.edit_applied`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { ApplyPageEditData } from './apply-page-edit.command';

export class ApplyPageEditRequestDto extends CommandRequestDto implements ApplyPageEditData {
  @IsInt()
  @Min(1)
  page_id!: number;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.slug)
  slug!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxChars.title)
  title!: string;

  @IsInt()
  @Min(1)
  editor_id!: number;

  @IsInt()
  revision!: number;
}
