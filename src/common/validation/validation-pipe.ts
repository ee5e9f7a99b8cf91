import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** Flattens class-validator errors into "field.path: message" lines, so the failing field is named. */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => {
      // Kratos decodes bodies strictly; its message for an extra field is Go's `json: unknown field "x"`.
      if (constraint === 'whitelistValidation') return `json: unknown field ${JSON.stringify(path)}`;
      return message.startsWith(error.property) ? `${path}${message.slice(error.property.length)}` : `${path}: ${message}`;
    });
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

/**
 * Request DTOs are checked strictly, as Kratos decodes bodies strictly: unknown fields are a 400, and every
 * failure is a 400 envelope whose reason names the field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => ApiError.badRequest(describeValidationErrors(errors).join('; ')),
  });
}
