/**
 * Errors a user can act on. Each module subclasses AppError with its own codes; the exception
 * filter turns them into an HTTP status and a message in the caller's language (API: JSON,
 * web: an error page or the form re-rendered). `messageKey` is an i18n key.
 */
import type { MessageParams } from '../i18n/i18n';

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly messageKey: string,
    readonly params: MessageParams = {},
    readonly fields?: FieldErrors,
    /** Extra machine-readable data for API clients (e.g. what is missing). */
    readonly data?: Record<string, unknown>,
  ) {
    super(`${code}: ${messageKey}`);
  }
}

export class ValidationFailed extends AppError {
  constructor(fields: FieldErrors, messageKey = 'errors.validation') {
    super('VALIDATION_FAILED', 400, messageKey, { count: Object.keys(fields).length }, fields);
  }
}

export class NotSignedIn extends AppError {
  constructor() {
    super('NOT_SIGNED_IN', 401, 'errors.notSignedIn');
  }
}

export class Forbidden extends AppError {
  constructor(messageKey = 'errors.forbidden', params: MessageParams = {}) {
    super('FORBIDDEN', 403, messageKey, params);
  }
}

export class NotFound extends AppError {
  constructor(messageKey = 'errors.notFound', params: MessageParams = {}) {
    super('NOT_FOUND', 404, messageKey, params);
  }
}

export class Conflict extends AppError {
  constructor(code: string, messageKey: string, params: MessageParams = {}) {
    super(code, 409, messageKey, params);
  }
}
