/**
 * Every typed command, one folder per command under libs/commands/src/<context>/:
 * its controllers (routes) and its handlers (providers of CommandsLibModule).
 */
import type { Provider, Type } from '@nestjs/common';
import { RegisterUserHandler } from './accounts/register-user/register-user.handler';
import { RegisterUserHttpController } from './accounts/register-user/register-user.http.controller';
import { UpdateUserHandler } from './accounts/update-user/update-user.handler';
import { UpdateUserHttpController } from './accounts/update-user/update-user.http.controller';
import { CreateThreadHandler } from './forum/create-thread/create-thread.handler';
import { CreateThreadHttpController } from './forum/create-thread/create-thread.http.controller';
import { CreatePostHandler } from './forum/create-post/create-post.handler';
import { CreatePostHttpController } from './forum/create-post/create-post.http.controller';
import { EditPostHandler } from './forum/edit-post/edit-post.handler';
import { EditPostHttpController } from './forum/edit-post/edit-post.http.controller';
import { DeletePostHandler } from './forum/delete-post/delete-post.handler';
import { DeletePostHttpController } from './forum/delete-post/delete-post.http.controller';
import { BanUserHandler } from './moderation/ban-user/ban-user.handler';
import { BanUserHttpController } from './moderation/ban-user/ban-user.http.controller';
import { UnbanUserHandler } from './moderation/unban-user/unban-user.handler';
import { UnbanUserHttpController } from './moderation/unban-user/unban-user.http.controller';
import { OpenTicketHandler } from './help/open-ticket/open-ticket.handler';
import { OpenTicketHttpController } from './help/open-ticket/open-ticket.http.controller';
import { AddTicketMessageHandler } from './help/add-ticket-message/add-ticket-message.handler';
import { AddTicketMessageHttpController } from './help/add-ticket-message/add-ticket-message.http.controller';
import { ChangeTicketStatusHandler } from './help/change-ticket-status/change-ticket-status.handler';
import { ChangeTicketStatusHttpController } from './help/change-ticket-status/change-ticket-status.http.controller';
import { AssignTicketHandler } from './help/assign-ticket/assign-ticket.handler';
import { AssignTicketHttpController } from './help/assign-ticket/assign-ticket.http.controller';
import { CreateEnrollmentHandler } from './learn/create-enrollment/create-enrollment.handler';
import { CreateEnrollmentHttpController } from './learn/create-enrollment/create-enrollment.http.controller';
import { CompleteEnrollmentHandler } from './learn/complete-enrollment/complete-enrollment.handler';
import { CompleteEnrollmentHttpController } from './learn/complete-enrollment/complete-enrollment.http.controller';
import { PublishCourseHandler } from './learn/publish-course/publish-course.handler';
import { PublishCourseHttpController } from './learn/publish-course/publish-course.http.controller';
import { ApprovePageHandler } from './know/approve-page/approve-page.handler';
import { ApprovePageHttpController } from './know/approve-page/approve-page.http.controller';
import { ApplyPageEditHandler } from './know/apply-page-edit/apply-page-edit.handler';
import { ApplyPageEditHttpController } from './know/apply-page-edit/apply-page-edit.http.controller';

export const COMMAND_CONTROLLERS: Array<Type<unknown>> = [
  RegisterUserHttpController,
  UpdateUserHttpController,
  CreateThreadHttpController,
  CreatePostHttpController,
  EditPostHttpController,
  DeletePostHttpController,
  BanUserHttpController,
  UnbanUserHttpController,
  OpenTicketHttpController,
  AddTicketMessageHttpController,
  ChangeTicketStatusHttpController,
  AssignTicketHttpController,
  CreateEnrollmentHttpController,
  CompleteEnrollmentHttpController,
  PublishCourseHttpController,
  ApprovePageHttpController,
  ApplyPageEditHttpController,
];

export const COMMAND_HANDLERS: Provider[] = [
  RegisterUserHandler,
  UpdateUserHandler,
  CreateThreadHandler,
  CreatePostHandler,
  EditPostHandler,
  DeletePostHandler,
  BanUserHandler,
  UnbanUserHandler,
  OpenTicketHandler,
  AddTicketMessageHandler,
  ChangeTicketStatusHandler,
  AssignTicketHandler,
  CreateEnrollmentHandler,
  CompleteEnrollmentHandler,
  PublishCourseHandler,
  ApprovePageHandler,
  ApplyPageEditHandler,
];
