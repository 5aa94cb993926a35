import { AppError, FieldErrors } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

/**
 * Errors of the proctoring module. The sitting and attempt errors the exams module already
 * names (SITTING_FULL, WRONG_ACCESS_CODE, NOT_YOUR_SITTING, APPEAL_NOT_ALLOWED …) are thrown as
 * ExamsError so that clients see one code for one situation; these are the ones only proctoring has.
 */
export type ProctoringErrorCode =
  | 'EXAM_NOT_CERTIFICATION'
  | 'WINDOW_INVALID'
  | 'CAPACITY_BELOW_REGISTERED'
  | 'NOT_A_PROCTOR'
  | 'REGISTRATION_NOT_FOUND'
  | 'WITHDRAW_NOT_ALLOWED'
  | 'NOT_PROCTORED'
  | 'NOT_UNDER_REVIEW'
  | 'APPEAL_NOT_FOUND'
  | 'APPEAL_RESOLVED'
  | 'SCORE_OUT_OF_RANGE';

const STATUS: Record<ProctoringErrorCode, number> = {
  EXAM_NOT_CERTIFICATION: 400,
  WINDOW_INVALID: 400,
  CAPACITY_BELOW_REGISTERED: 409,
  NOT_A_PROCTOR: 400,
  REGISTRATION_NOT_FOUND: 404,
  WITHDRAW_NOT_ALLOWED: 409,
  NOT_PROCTORED: 404,
  NOT_UNDER_REVIEW: 409,
  APPEAL_NOT_FOUND: 404,
  APPEAL_RESOLVED: 409,
  SCORE_OUT_OF_RANGE: 400,
};

export class ProctoringError extends AppError {
  constructor(code: ProctoringErrorCode, params: MessageParams = {}, fields?: FieldErrors, data?: Record<string, unknown>) {
    super(code, STATUS[code], `proctoring.errors.${code}`, params, fields, data);
  }
}
