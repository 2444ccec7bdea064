/**
 * Route decorators shared by the command controllers:
 * `POST /internal/v1/tenants/:tenant/<context>/<command>`, service token, 202.
 */
import {
  applyDecorators,
  Controller,
  HttpCode,
  Injectable,
  Param,
  PipeTransform,
  Post,
  UseGuards,
} from '@nestjs/common';
import { DomainError, ServiceTokenGuard, TENANT_SLUG } from '@herald/platform';

/** The product contexts, as they appear in command routes (one folder each). */
export type CommandContext = 'accounts' | 'forum' | 'moderation' | 'help' | 'learn' | 'know';

export function commandPath(context: CommandContext, command: string): string {
  return `internal/v1/tenants/:tenant/${context}/${command}`;
}

export function CommandController(context: CommandContext, command: string): ClassDecorator {
  return applyDecorators(Controller(commandPath(context, command)), UseGuards(ServiceTokenGuard));
}

/** Accepted, not done: the fact is on the internal topic; publishing happens downstream. */
export function CommandEndpoint(): MethodDecorator {
  return applyDecorators(Post(), HttpCode(202));
}

@Injectable()
export class TenantSlugPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !TENANT_SLUG.test(value)) {
      throw new DomainError(
        'invalid_tenant',
        `invalid tenant ${JSON.stringify(value)}: use a DNS label (a-z, 0-9, "-", 1-63 chars)`,
        400,
      );
    }
    return value;
  }
}

/** The `:tenant` path parameter, checked to be a DNS label (400 `invalid_tenant`). */
export function TenantParam(): ParameterDecorator {
  return Param('tenant', TenantSlugPipe);
}
