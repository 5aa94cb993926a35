import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldErrors, ValidationFailed } from './app-error';

function collect(errors: ValidationError[], prefix: string, into: FieldErrors): void {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) into[field] = Object.values(error.constraints);
    if (error.children?.length) collect(error.children, field, into);
  }
}

/** DTO validation for every route: unknown fields refused, types checked, 400 with per-field messages. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const fields: FieldErrors = {};
      collect(errors, '', fields);
      if (Object.keys(fields).length === 0) fields.body = ['the request body must be a JSON object'];
      return new ValidationFailed(fields);
    },
  });
}
