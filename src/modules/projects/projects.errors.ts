import { AppError, FieldErrors } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type ProjectsErrorCode =
  | 'PROJECT_NOT_FOUND'
  | 'BRAND_NOT_FOUND'
  | 'ISV_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'USER_INACTIVE'
  | 'GRANT_NOT_FOUND'
  | 'DELIVERY_NOT_FOUND'
  | 'PROJECT_ACCESS_DENIED'
  | 'CERTIFICATE_REQUIRED'
  | 'STAFF_ONLY'
  | 'NOT_PROJECT_BRAND'
  | 'PROJECT_CLOSED'
  | 'ALREADY_GRANTED'
  | 'GRANT_NOT_ACTIVE'
  | 'GRANT_NOT_WITHDRAWN'
  | 'GRANT_ALREADY_REINSTATED'
  | 'ISV_NOT_PARTICIPANT'
  | 'DELIVERY_EXISTS'
  | 'DELIVERY_ALREADY_CONFIRMED'
  | 'DELIVERED_TOO_OLD'
  | 'DELIVERED_IN_FUTURE';

const STATUS: Record<ProjectsErrorCode, number> = {
  PROJECT_NOT_FOUND: 404,
  BRAND_NOT_FOUND: 400,
  ISV_NOT_FOUND: 400,
  USER_NOT_FOUND: 400,
  USER_INACTIVE: 409,
  GRANT_NOT_FOUND: 404,
  DELIVERY_NOT_FOUND: 404,
  PROJECT_ACCESS_DENIED: 403,
  CERTIFICATE_REQUIRED: 422,
  STAFF_ONLY: 403,
  NOT_PROJECT_BRAND: 403,
  PROJECT_CLOSED: 409,
  ALREADY_GRANTED: 409,
  GRANT_NOT_ACTIVE: 409,
  GRANT_NOT_WITHDRAWN: 409,
  GRANT_ALREADY_REINSTATED: 409,
  ISV_NOT_PARTICIPANT: 422,
  DELIVERY_EXISTS: 409,
  DELIVERY_ALREADY_CONFIRMED: 409,
  DELIVERED_TOO_OLD: 400,
  DELIVERED_IN_FUTURE: 400,
};

/** The field an input error is about, so forms show a short message (no parameters) next to it. */
const FIELD: Partial<Record<ProjectsErrorCode, string>> = {
  BRAND_NOT_FOUND: 'brandOrganisationId',
  ISV_NOT_FOUND: 'organisationId',
  USER_NOT_FOUND: 'userId',
  USER_INACTIVE: 'userId',
  ALREADY_GRANTED: 'userId',
  CERTIFICATE_REQUIRED: 'userId',
  ISV_NOT_PARTICIPANT: 'organisationId',
  DELIVERY_EXISTS: 'organisationId',
  DELIVERED_TOO_OLD: 'deliveredAt',
  DELIVERED_IN_FUTURE: 'deliveredAt',
};

/**
 * Errors of the projects module. Access refusals and certificate refusals carry a `reason`
 * (machine-readable, in the JSON body) and a message that says what is missing.
 */
export class ProjectsError extends AppError {
  constructor(code: ProjectsErrorCode, params: MessageParams = {}, options: { messageKey?: string; data?: Record<string, unknown> } = {}) {
    const key = options.messageKey ?? `projects.errors.${code}`;
    const field = FIELD[code];
    super(code, STATUS[code], key, params, field ? ({ [field]: [`projects.fieldErrors.${code}`] } satisfies FieldErrors) : undefined, options.data);
  }
}
