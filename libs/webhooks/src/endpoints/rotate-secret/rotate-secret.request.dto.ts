/** Body of `POST /api/v1/webhooks/{id}/rotate-secret` (may be empty). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { SIGNING_SCHEMES, SigningScheme } from '../endpoint';

export const DEFAULT_GRACE_SECONDS = 86_400;
export const MAX_GRACE_SECONDS = 604_800;

export class RotateSecretRequestDto {
  /**
   * How long the previous secret keeps signing beside the new one (`v1_prev`), so
   * receivers can move over at their own pace: 0–604800 seconds, default 86400 (24 h).
   * 0 purges the previous secret at once.
   */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_GRACE_SECONDS, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_GRACE_SECONDS)
  grace_seconds?: number;

  /**
   * Switch signing scheme with the new secret; the only way to move to or from
   * `standard-webhooks-ed25519`. A key of another kind cannot sign for the new scheme,
   * so such a switch keeps no previous secret, whatever `grace_seconds` says.
   */
  @ApiPropertyOptional({ enum: SIGNING_SCHEMES, nullable: true })
  @IsOptional()
  @IsIn(SIGNING_SCHEMES)
  signing_scheme?: SigningScheme;
}
