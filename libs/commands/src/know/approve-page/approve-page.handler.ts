/** Appends `know.page.approved` to the know topic. */
import { Injectable } from '@nestjs/common';
import { CommandHandler } from '../../shared';
import { APPROVE_PAGE_KIND, ApprovePageCommand, approvePageData } from './approve-page.command';

@Injectable()
export class ApprovePageHandler extends CommandHandler<ApprovePageCommand> {
  readonly kind = APPROVE_PAGE_KIND;

  protected data(command: ApprovePageCommand): Record<string, unknown> {
    return approvePageData(command);
  }
}
