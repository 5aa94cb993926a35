import { AppError, FieldErrors } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type ExamsErrorCode =
  | 'EXAM_NOT_FOUND'
  | 'EXAM_NOT_OPEN'
  | 'NOT_ELIGIBLE'
  | 'NOT_ADMITTED'
  | 'NOT_YET'
  | 'ATTEMPT_NOT_FOUND'
  | 'CLIENT_GONE'
  | 'ATTEMPT_NOT_IN_PROGRESS'
  | 'DEADLINE_PASSED'
  | 'SESSION_REPLACED'
  | 'ITEM_NOT_FOUND'
  | 'RESPONSE_INVALID'
  | 'TRANSITION_REFUSED'
  | 'BLUEPRINT_SHORT'
  | 'SITTING_NOT_FOUND'
  | 'SITTING_FULL'
  | 'SITTING_CLOSED'
  | 'WRONG_ACCESS_CODE'
  | 'ALREADY_REGISTERED'
  | 'NOT_YOUR_SITTING'
  | 'RESULT_NOT_AVAILABLE'
  | 'APPEAL_NOT_ALLOWED'
  | 'NOT_AN_ESSAY';

const STATUS: Record<ExamsErrorCode, number> = {
  EXAM_NOT_FOUND: 404,
  EXAM_NOT_OPEN: 409,
  NOT_ELIGIBLE: 403,
  NOT_ADMITTED: 403,
  NOT_YET: 409,
  ATTEMPT_NOT_FOUND: 404,
  // The caller hung up while waiting for its turn; nobody reads this answer.
  CLIENT_GONE: 503,
  ATTEMPT_NOT_IN_PROGRESS: 409,
  DEADLINE_PASSED: 409,
  SESSION_REPLACED: 409,
  ITEM_NOT_FOUND: 404,
  RESPONSE_INVALID: 400,
  TRANSITION_REFUSED: 409,
  BLUEPRINT_SHORT: 422,
  SITTING_NOT_FOUND: 404,
  SITTING_FULL: 409,
  SITTING_CLOSED: 409,
  WRONG_ACCESS_CODE: 403,
  ALREADY_REGISTERED: 409,
  NOT_YOUR_SITTING: 403,
  RESULT_NOT_AVAILABLE: 409,
  APPEAL_NOT_ALLOWED: 409,
  NOT_AN_ESSAY: 400,
};

export class ExamsError extends AppError {
  constructor(code: ExamsErrorCode, params: MessageParams = {}, fields?: FieldErrors, data?: Record<string, unknown>) {
    super(code, STATUS[code], `exams.errors.${code}`, params, fields, data);
  }
}
