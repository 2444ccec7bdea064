/** `:id` of `GET /api/v1/posts/{id}`. */
import { SubjectIdParamsDto } from '../shared/id-params.dto';

export class GetPostParamsDto extends SubjectIdParamsDto {}
