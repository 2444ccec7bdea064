/** `POST /internal/v1/tenants/:tenant/learn/publish-course` appends `learn.course.published`. */
import { Body } from '@nestjs/common';
import { CommandAccepted, CommandController, CommandEndpoint, TenantParam } from '../../shared';
import { PublishCourseHandler } from './publish-course.handler';
import { PublishCourseRequestDto } from './publish-course.request.dto';

@CommandController('learn', 'publish-course')
export class PublishCourseHttpController {
  constructor(private readonly handler: PublishCourseHandler) {}

  @CommandEndpoint()
  publishCourse(
    @TenantParam() tenant: string,
    @Body() body: PublishCourseRequestDto,
  ): Promise<CommandAccepted> {
    return this.handler.execute({ ...body, tenant });
  }
}
