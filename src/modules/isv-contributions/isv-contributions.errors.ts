import { AppError, FieldErrors } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type IsvContributionsErrorCode =
  | 'ISV_NOT_FOUND'
  | 'NOT_YOUR_ISV'
  | 'MANAGER_ONLY'
  | 'STAFF_ONLY'
  | 'CONTRIBUTION_NOT_FOUND'
  | 'PRODUCT_NOT_FOUND'
  | 'EVIDENCE_FILE_NOT_FOUND'
  | 'NOT_SUBMITTED'
  | 'NOT_RESUBMITTABLE'
  | 'OCCURRED_TOO_OLD'
  | 'OCCURRED_IN_FUTURE'
  | 'EVIDENCE_REQUIRED'
  | 'EVIDENCE_URL_INVALID'
  | 'TOO_MANY_URLS'
  | 'TOO_MANY_FILES'
  | 'EVIDENCE_FILE_EMPTY'
  | 'EVIDENCE_FILE_TOO_LARGE'
  | 'EVIDENCE_FILE_TYPE'
  | 'EVIDENCE_FILE_BASE64'
  | 'NOTE_REQUIRED';

const STATUS: Record<IsvContributionsErrorCode, number> = {
  ISV_NOT_FOUND: 404,
  NOT_YOUR_ISV: 403,
  MANAGER_ONLY: 403,
  STAFF_ONLY: 403,
  CONTRIBUTION_NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  EVIDENCE_FILE_NOT_FOUND: 404,
  NOT_SUBMITTED: 409,
  NOT_RESUBMITTABLE: 409,
  OCCURRED_TOO_OLD: 400,
  OCCURRED_IN_FUTURE: 400,
  EVIDENCE_REQUIRED: 400,
  EVIDENCE_URL_INVALID: 400,
  TOO_MANY_URLS: 400,
  TOO_MANY_FILES: 400,
  EVIDENCE_FILE_EMPTY: 400,
  EVIDENCE_FILE_TOO_LARGE: 400,
  EVIDENCE_FILE_TYPE: 400,
  EVIDENCE_FILE_BASE64: 400,
  NOTE_REQUIRED: 400,
};

/** The field a 400 is about, so API clients and forms can show the message next to it. */
const FIELD: Partial<Record<IsvContributionsErrorCode, string>> = {
  OCCURRED_TOO_OLD: 'occurredAt',
  OCCURRED_IN_FUTURE: 'occurredAt',
  EVIDENCE_REQUIRED: 'evidence',
  EVIDENCE_URL_INVALID: 'evidenceUrls',
  TOO_MANY_URLS: 'evidenceUrls',
  TOO_MANY_FILES: 'files',
  EVIDENCE_FILE_EMPTY: 'files',
  EVIDENCE_FILE_TOO_LARGE: 'files',
  EVIDENCE_FILE_TYPE: 'files',
  EVIDENCE_FILE_BASE64: 'files',
  NOTE_REQUIRED: 'note',
};

/**
 * Errors of ISV submissions. A rule broken by one field carries that field, with the same
 * message (its parameters filled in) as the error itself.
 */
export class IsvContributionsError extends AppError {
  constructor(code: IsvContributionsErrorCode, params: MessageParams = {}, data?: Record<string, unknown>) {
    const field = FIELD[code];
    const key = `isvContributions.errors.${code}`;
    super(code, STATUS[code], key, params, field ? ({ [field]: [`isvContributions.fieldErrors.${code}`] } satisfies FieldErrors) : undefined, data);
  }
}
