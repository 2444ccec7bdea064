/** Appends `know.page.approved` to the know topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { APPROVE_PAGE_KIND, ApprovePageCommand } from './approve-page.command';

@Injectable()
export class ApprovePageHandler extends CommandHandler<ApprovePageCommand> {
  readonly kind = APPROVE_PAGE_KIND;
}
