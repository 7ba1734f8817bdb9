import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateBy, ValidateIf } from 'class-validator';
import { AppError } from '../errors/app-error';
import { findUnsafeString } from './unsafe-input';

/** One validation message per field, e.g. "email must be an email". */
function describe(errors: ValidationError[], prefix = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    // A missing field gets one clear sentence instead of every rule it would have had to meet.
    const problems =
      e.value === undefined ? [`${field} is required`] : e.value === null ? [`${field} must not be null`] : Object.values(e.constraints ?? {});
    const own = e.constraints ? [{ field, problems }] : [];
    return [...own, ...describe(e.children ?? [], field)];
  });
}

/** 400 VALIDATION_FAILED naming each field and its problems. */
function validationFailed(fields: { field: string; problems: string[] }[]): AppError {
  const message = fields.map((f) => f.problems.join(', ')).join('; ') || 'Invalid request';
  return new AppError(400, 'VALIDATION_FAILED', message, { fields });
}

/**
 * The global pipe: unknown fields are refused (not silently dropped), values are converted to the
 * DTO's types, and every failure is a 400 VALIDATION_FAILED naming each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new BodyAndQueryValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: true },
    stopAtFirstError: false,
    exceptionFactory: (errors) => validationFailed(describe(errors)),
  });
}

/**
 * Like @IsOptional, but only an absent field is skipped: an explicit null still has to pass the
 * other validators. For fields whose column is NOT NULL, so null cannot reach the database.
 */
export const IsOptionalNotNull = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/**
 * A finite number with at most `places` decimals (prices). Instead of class-validator's
 * IsNumber({ maxDecimalPlaces }), which reads the decimals from String(value) and threw on a
 * number JavaScript writes in exponent form (5e-324, 1e-7): a 500.
 */
export const IsDecimal = (places = 2) =>
  ValidateBy({
    name: 'isDecimal',
    validator: {
      validate: (value: unknown) => typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(places)) === value,
      defaultMessage: (args) => `${args?.property} must be a number with at most ${places} decimals`,
    },
  });

/**
 * Validates bodies and query strings. Path parameters are left to their explicit pipes (IdPipe,
 * UuidPipe): the stock pipe would turn "1e3" into 1000 before they could refuse it.
 */
class BodyAndQueryValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param' || metadata.type === 'custom') return Promise.resolve(value);
    const unsafe = findUnsafeString(value);
    if (unsafe) {
      return Promise.reject(validationFailed([{ field: unsafe, problems: [`${unsafe} must not contain a NUL character (\\u0000) or an unpaired UTF-16 surrogate`] }]));
    }
    return super.transform(value, metadata);
  }
}
