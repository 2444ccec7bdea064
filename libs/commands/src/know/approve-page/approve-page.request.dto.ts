/** The body of `approve-page`: exactly the required data of `know.page.approved`, plus `event_id` and `occurred_at`. */
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { CommandRequestDto, MaxChars } from '../../shared';
import { ApprovePageData } from './approve-page.command';

export class ApprovePageRequestDto extends CommandRequestDto implements ApprovePageData {
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
  approver_id!: number;
}
