/** Appends `know.page.edit_applied` to the know topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { APPLY_PAGE_EDIT_KIND, ApplyPageEditCommand } from './apply-page-edit.command';

@Injectable()
export class ApplyPageEditHandler extends CommandHandler<ApplyPageEditCommand> {
  readonly kind = APPLY_PAGE_EDIT_KIND;
}
