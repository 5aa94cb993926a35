import { AppError, FieldErrors } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type IsvScoringErrorCode = 'ISV_NOT_FOUND' | 'NOT_YOUR_ISV' | 'RULES_INVALID' | 'EFFECTIVE_DATE_PAST' | 'EFFECTIVE_DATE_INVALID' | 'QUEUE_NOT_FOUND' | 'JOB_NOT_FOUND' | 'JOB_NOT_FAILED' | 'QUEUES_UNAVAILABLE';

const STATUS: Record<IsvScoringErrorCode, number> = {
  ISV_NOT_FOUND: 404,
  NOT_YOUR_ISV: 403,
  RULES_INVALID: 400,
  EFFECTIVE_DATE_PAST: 400,
  EFFECTIVE_DATE_INVALID: 400,
  QUEUE_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  JOB_NOT_FAILED: 409,
  QUEUES_UNAVAILABLE: 503,
};

export class IsvScoringError extends AppError {
  constructor(code: IsvScoringErrorCode, params: MessageParams = {}, fields?: FieldErrors, data?: Record<string, unknown>) {
    super(code, STATUS[code], `isvScoring.errors.${code}`, params, fields, data);
  }
}
