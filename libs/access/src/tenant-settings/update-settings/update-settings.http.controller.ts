/** `PATCH /api/v1/settings` (scope `settings:manage`). */
import { Body, Controller, Patch } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiCaller, Caller, PublicApi, RequireScopes } from '@herald/platform';
import { ApiErrors } from '@herald/platform/openapi';
import { INVALID_SETTINGS } from '../shared/settings-errors';
import { TenantSettingsResponseDto } from '../shared/settings.response.dto';
import { UpdateSettingsHandler } from './update-settings.handler';
import { UpdateSettingsRequestDto } from './update-settings.request.dto';

@PublicApi()
@Controller('api/v1/settings')
export class UpdateSettingsHttpController {
  constructor(private readonly handler: UpdateSettingsHandler) {}

  /**
   * Change the tenant's settings
   *
   * @remarks Changes the fields sent and leaves the others. Every field is checked first: one out
   * of bounds and nothing is saved. A change is audit-logged (`tenant_settings.updated`, with the
   * fields before and after) and applies to the next delivery attempt and the next request.
   */
  @Patch()
  @ApiOkResponse({ type: TenantSettingsResponseDto })
  @ApiErrors(INVALID_SETTINGS)
  @RequireScopes('settings:manage')
  updateSettings(
    @Caller() caller: ApiCaller,
    @Body() body: UpdateSettingsRequestDto,
  ): Promise<TenantSettingsResponseDto> {
    return this.handler.execute({ tenant: caller.tenant, actor: caller.actor }, body ?? {});
  }
}
