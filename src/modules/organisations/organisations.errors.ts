import { AppError } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type OrganisationsErrorCode = 'ORGANISATION_NOT_FOUND' | 'ORGANISATION_NAME_TAKEN';
const STATUS: Record<OrganisationsErrorCode, number> = { ORGANISATION_NOT_FOUND: 404, ORGANISATION_NAME_TAKEN: 409 };

export class OrganisationsError extends AppError {
  constructor(code: OrganisationsErrorCode, params: MessageParams = {}) {
    super(code, STATUS[code], `organisations.errors.${code}`, params, code === 'ORGANISATION_NAME_TAKEN' ? { name: [`organisations.errors.${code}`] } : undefined);
  }
}
