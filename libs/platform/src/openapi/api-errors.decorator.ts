/**
 * Names the route-specific error codes a public handler can answer with (say
 * `event_not_found`), beyond those every public route shares (bad key, missing scope,
 * rate limit, …), which the document adds by itself.
 */
import { SetMetadata } from '@nestjs/common';
import type { ErrorCode } from '../http/error-codes';

export const API_ERRORS = 'herald:api-errors';

export const ApiErrors = (...codes: [ErrorCode, ...ErrorCode[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(API_ERRORS, codes);
