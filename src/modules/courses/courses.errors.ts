import { AppError, FieldErrors } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type CoursesErrorCode =
  | 'COURSE_NOT_FOUND'
  | 'MODULE_NOT_FOUND'
  | 'LESSON_NOT_FOUND'
  | 'ATTEMPT_NOT_FOUND'
  | 'COURSE_NOT_PUBLISHED'
  | 'COURSE_KEY_TAKEN'
  | 'COURSE_EMPTY'
  | 'REQUIRED_COURSE_EXISTS'
  | 'NO_KNOWLEDGE_CHECK'
  | 'KNOWLEDGE_CHECK_UNAVAILABLE'
  | 'ATTEMPT_SUBMITTED'
  | 'ASSIGNEES_NOT_FOUND'
  | 'ASSIGNEES_REQUIRED'
  | 'DUE_DATE_PAST'
  | 'LESSON_ARCHIVED';

const STATUS: Record<CoursesErrorCode, number> = {
  COURSE_NOT_FOUND: 404,
  MODULE_NOT_FOUND: 404,
  LESSON_NOT_FOUND: 404,
  ATTEMPT_NOT_FOUND: 404,
  COURSE_NOT_PUBLISHED: 409,
  COURSE_KEY_TAKEN: 409,
  COURSE_EMPTY: 409,
  REQUIRED_COURSE_EXISTS: 409,
  NO_KNOWLEDGE_CHECK: 404,
  KNOWLEDGE_CHECK_UNAVAILABLE: 409,
  ATTEMPT_SUBMITTED: 409,
  ASSIGNEES_NOT_FOUND: 400,
  ASSIGNEES_REQUIRED: 400,
  DUE_DATE_PAST: 400,
  LESSON_ARCHIVED: 409,
};

export class CoursesError extends AppError {
  constructor(
    code: CoursesErrorCode,
    params: MessageParams = {},
    fields?: FieldErrors,
    data?: Record<string, unknown>,
  ) {
    super(code, STATUS[code], `courses.errors.${code}`, params, fields, data);
  }
}
