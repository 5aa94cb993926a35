import { AppError, FieldErrors } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type AccountsErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'LOGIN_THROTTLED'
  | 'ACCOUNT_DEACTIVATED'
  | 'EMAIL_TAKEN'
  | 'WRONG_PASSWORD'
  | 'WEAK_PASSWORD'
  | 'USER_NOT_FOUND'
  | 'TOKEN_NOT_FOUND'
  | 'ORGANISATION_REQUIRED'
  | 'ORGANISATION_NOT_FOUND'
  | 'SESSION_API_NEEDS_JSON'
  | 'CANNOT_CHANGE_SELF';

const STATUS: Record<AccountsErrorCode, number> = {
  INVALID_CREDENTIALS: 401,
  LOGIN_THROTTLED: 429,
  ACCOUNT_DEACTIVATED: 401,
  EMAIL_TAKEN: 409,
  WRONG_PASSWORD: 400,
  WEAK_PASSWORD: 400,
  USER_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  ORGANISATION_REQUIRED: 400,
  ORGANISATION_NOT_FOUND: 400,
  SESSION_API_NEEDS_JSON: 415,
  CANNOT_CHANGE_SELF: 400,
};

export class AccountsError extends AppError {
  constructor(code: AccountsErrorCode, params: MessageParams = {}, fields?: FieldErrors, data?: Record<string, unknown>) {
    super(code, STATUS[code], `accounts.errors.${code}`, params, fields, data);
  }
}
