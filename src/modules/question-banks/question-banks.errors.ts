import { AppError, FieldErrors } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type QuestionBanksErrorCode =
  | 'BANK_NOT_FOUND'
  | 'QUESTION_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'EDIT_INVALID'
  | 'EDIT_ID_CHANGED'
  | 'UPLOAD_NOT_FOUND'
  | 'UPLOAD_ALREADY_IMPORTED'
  | 'UPLOAD_HAS_ERRORS'
  | 'RESPONSE_INVALID';

const STATUS: Record<QuestionBanksErrorCode, number> = {
  BANK_NOT_FOUND: 404,
  QUESTION_NOT_FOUND: 404,
  VERSION_NOT_FOUND: 404,
  EDIT_INVALID: 400,
  EDIT_ID_CHANGED: 400,
  UPLOAD_NOT_FOUND: 404,
  UPLOAD_ALREADY_IMPORTED: 409,
  UPLOAD_HAS_ERRORS: 422,
  RESPONSE_INVALID: 400,
};

export class QuestionBanksError extends AppError {
  constructor(code: QuestionBanksErrorCode, params: MessageParams = {}, fields?: FieldErrors) {
    super(code, STATUS[code], `questionBanks.errors.${code}`, params, fields);
  }
}
