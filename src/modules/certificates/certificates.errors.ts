import { AppError, FieldErrors } from '../../infra/http/app-error';
import type { MessageParams } from '../../infra/i18n/i18n';

export type CertificatesErrorCode =
  | 'CERTIFICATE_NOT_FOUND'
  | 'VERIFICATION_CODE_UNKNOWN'
  | 'REVOCATION_REASON_REQUIRED'
  | 'ALREADY_REVOKED'
  | 'PDF_FONT_MISSING'
  | 'UNSUPPORTED_LANGUAGE';

const STATUS: Record<CertificatesErrorCode, number> = {
  CERTIFICATE_NOT_FOUND: 404,
  VERIFICATION_CODE_UNKNOWN: 404,
  REVOCATION_REASON_REQUIRED: 400,
  ALREADY_REVOKED: 409,
  PDF_FONT_MISSING: 500,
  UNSUPPORTED_LANGUAGE: 400,
};

export class CertificatesError extends AppError {
  constructor(code: CertificatesErrorCode, params: MessageParams = {}, fields?: FieldErrors, data?: Record<string, unknown>) {
    super(code, STATUS[code], `certificates.errors.${code}`, params, fields, data);
  }
}
