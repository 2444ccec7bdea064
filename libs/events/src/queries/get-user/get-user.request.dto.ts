/** `:id` of `GET /api/v1/users/{id}`. */
import { SubjectIdParamsDto } from '../shared/id-params.dto';

export class GetUserParamsDto extends SubjectIdParamsDto {}
